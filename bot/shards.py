"""Which servers this process serves when the bot runs as several processes, each with a slice of the shards.

Discord sends a server's events to shard `(guild_id >> 22) % shard_count`, and direct messages to shard 0. With
`TORCHQUIZ_SHARD_COUNT` and `TORCHQUIZ_SHARD_IDS` set, this process holds only its slice, so start-up work that
reads the shared database (resuming plays, closing interrupted quizzes, the daily question) must touch only the
servers whose events come here; another process owns the rest. Unset, one process holds every shard.
"""

from __future__ import annotations

from dataclasses import dataclass


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """The shard Discord delivers a server's events to; direct messages (no server) go to shard 0."""
    return 0 if guild_id is None else (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class ShardSlice:
    """The shards this process runs: `ids` of `count`, or every shard when `ids` is None."""

    count: int | None = None
    ids: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.ids is not None:
            if self.count is None:
                raise ValueError("TORCHQUIZ_SHARD_IDS needs TORCHQUIZ_SHARD_COUNT")
            if not self.ids or any(not 0 <= shard < self.count for shard in self.ids):
                raise ValueError(f"shard ids must be between 0 and {self.count - 1}, not {list(self.ids)}")
            if len(set(self.ids)) != len(self.ids):
                raise ValueError(f"shard ids are listed once each, not {list(self.ids)}")
        if self.count is not None and self.count < 1:
            raise ValueError(f"the shard count is at least 1, not {self.count}")

    @property
    def partial(self) -> bool:
        """Whether other processes hold some of the shards."""
        return self.ids is not None and self.count is not None and len(self.ids) < self.count

    def owns(self, guild_id: int | None) -> bool:
        """Whether this process receives the events of `guild_id` (None: direct messages)."""
        if not self.partial or self.count is None or self.ids is None:
            return True
        return shard_of(guild_id, self.count) in self.ids

    @property
    def syncs_commands(self) -> bool:
        """One process syncs the slash commands (they are global to the application): the one with shard 0."""
        return self.ids is None or 0 in self.ids

    def describe(self) -> str:
        if self.ids is None:
            return "every shard" if self.count is None else f"all {self.count} shards"
        return f"shard(s) {', '.join(map(str, self.ids))} of {self.count}"
