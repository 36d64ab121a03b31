"""Per-server options that moderators set with /settings."""

from __future__ import annotations

import functools
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.storage._base import StoreBase
from bot.storage.records import GuildSettings

# The columns /settings may change; a name outside this set never reaches SQL.
SETTABLE = ("run_enabled", "quiz_channel_id", "moderator_role_id", "default_time_limit", "default_count")
# The daily question's columns: changed only through set_daily, disable_daily and set_timezone, which check them.
DAILY = ("daily_channel_id", "daily_time", "daily_role_id", "timezone")
COLUMNS = SETTABLE + DAILY
MINUTES_PER_DAY = 24 * 60


class GuildRecords(StoreBase):
    async def guild_settings(self, guild_id: int) -> GuildSettings:
        row = await self._db.fetchone(
            f"SELECT {', '.join(COLUMNS)} FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return GuildSettings(guild_id)
        return _settings(guild_id, tuple(row))

    async def update_guild_settings(self, guild_id: int, **changes: Any) -> GuildSettings:
        """Change some options (None clears one back to the default) and return the result."""
        unknown = set(changes) - set(SETTABLE)
        if unknown:
            raise ValueError(f"unknown server settings: {sorted(unknown)}")
        return await self._write_guild_settings(guild_id, changes)

    async def _write_guild_settings(self, guild_id: int, changes: dict[str, Any]) -> GuildSettings:
        if changes:
            columns = list(changes)
            assert set(columns) <= set(COLUMNS)
            async with self._db.transaction() as db:
                await db.execute("INSERT INTO guild_settings (guild_id) VALUES (?) ON CONFLICT DO NOTHING", (guild_id,))
                await db.execute(
                    f"UPDATE guild_settings SET {', '.join(f'{c} = ?' for c in columns)} WHERE guild_id = ?",
                    (*(changes[c] for c in columns), guild_id),
                )
        return await self.guild_settings(guild_id)

    # -- the daily question ----------------------------------------------------------------------------------

    async def set_daily(
        self, guild_id: int, channel_id: int, minutes: int, role_id: int | None = None
    ) -> GuildSettings:
        """Post the daily question in `channel_id` at `minutes` after local midnight (0–1439), mentioning
        `role_id` when given. ValueError for a time outside the day."""
        if not 0 <= minutes < MINUTES_PER_DAY:
            raise ValueError(f"the daily time must be 0–{MINUTES_PER_DAY - 1} minutes after midnight, not {minutes}")
        return await self._write_guild_settings(
            guild_id, {"daily_channel_id": channel_id, "daily_time": minutes, "daily_role_id": role_id}
        )

    async def disable_daily(self, guild_id: int) -> GuildSettings:
        """No more daily questions in this server (its posts and streaks stay)."""
        return await self._write_guild_settings(
            guild_id, {"daily_channel_id": None, "daily_time": None, "daily_role_id": None}
        )

    async def set_timezone(self, guild_id: int, name: str | None) -> GuildSettings:
        """Set the server's IANA time zone ('Europe/Paris'); None goes back to UTC. ValueError for a name the
        time zone database does not know."""
        if name is not None:
            check_timezone(name)
        return await self._write_guild_settings(guild_id, {"timezone": name})

    async def guilds_with_daily(self) -> list[GuildSettings]:
        """Every server with a daily question channel and time set, by server id."""
        rows = await self._db.fetchall(
            f"SELECT guild_id, {', '.join(COLUMNS)} FROM guild_settings"
            " WHERE daily_channel_id IS NOT NULL AND daily_time IS NOT NULL ORDER BY guild_id"
        )
        return [_settings(int(row[0]), tuple(row)[1:]) for row in rows]

    async def set_run_enabled(self, guild_id: int, enabled: bool) -> None:
        await self.update_guild_settings(guild_id, run_enabled=int(enabled))

    async def save_guild_pack(
        self, guild_id: int, pack_id: str, *, source: str, uploaded_by: int, uploaded_at: float
    ) -> bool:
        """Store an uploaded pack for one server; returns True when it replaced an earlier upload."""
        async with self._db.transaction() as db:
            replaced = (
                await db.fetchone("SELECT 1 FROM guild_packs WHERE guild_id = ? AND pack_id = ?", (guild_id, pack_id))
                is not None
            )
            await db.execute(
                "INSERT INTO guild_packs (guild_id, pack_id, source, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id, pack_id) DO UPDATE SET source = excluded.source,"
                " uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at",
                (guild_id, pack_id, source, uploaded_by, uploaded_at),
            )
        return replaced

    async def guild_pack_sources(self) -> list[tuple[int, str, str]]:
        """Every uploaded pack as (server, pack id, YAML text)."""
        rows = await self._db.fetchall("SELECT guild_id, pack_id, source FROM guild_packs ORDER BY uploaded_at")
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


@functools.cache
def known_timezones() -> frozenset[str]:
    """Every IANA time zone name this machine knows ('UTC', 'Europe/Paris', ...): for checks and autocomplete."""
    return frozenset(available_timezones())


def check_timezone(name: str) -> None:
    """ValueError unless `name` is a time zone the IANA database knows, spelt exactly ('America/New_York')."""
    try:
        if name in known_timezones():
            ZoneInfo(name)
            return
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise ValueError(f"{name!r} is not a known time zone (an IANA name such as 'Europe/Paris')")


def _settings(guild_id: int, row: tuple[Any, ...]) -> GuildSettings:
    values = dict(zip(COLUMNS, row, strict=True))
    values["run_enabled"] = bool(values["run_enabled"])
    return GuildSettings(guild_id, **values)
