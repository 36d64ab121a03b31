"""Per-server options that moderators set with /settings."""

from __future__ import annotations

from typing import Any

from bot.storage._base import StoreBase
from bot.storage.records import GuildSettings

# The columns /settings may change; a name outside this set never reaches SQL.
SETTABLE = ("run_enabled", "quiz_channel_id", "moderator_role_id", "default_time_limit", "default_count")


class GuildRecords(StoreBase):
    async def guild_settings(self, guild_id: int) -> GuildSettings:
        async with self._db.execute(
            f"SELECT {', '.join(SETTABLE)} FROM guild_settings WHERE guild_id = ?", (guild_id,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return GuildSettings(guild_id)
        values = dict(zip(SETTABLE, row, strict=True))
        values["run_enabled"] = bool(values["run_enabled"])
        return GuildSettings(guild_id, **values)

    async def update_guild_settings(self, guild_id: int, **changes: Any) -> GuildSettings:
        """Change some options (None clears one back to the default) and return the result."""
        unknown = set(changes) - set(SETTABLE)
        if unknown:
            raise ValueError(f"unknown server settings: {sorted(unknown)}")
        if changes:
            columns = list(changes)
            async with self._transaction() as db:
                await db.execute("INSERT INTO guild_settings (guild_id) VALUES (?) ON CONFLICT DO NOTHING", (guild_id,))
                await db.execute(
                    f"UPDATE guild_settings SET {', '.join(f'{c} = ?' for c in columns)} WHERE guild_id = ?",
                    (*(changes[c] for c in columns), guild_id),
                )
        return await self.guild_settings(guild_id)

    async def set_run_enabled(self, guild_id: int, enabled: bool) -> None:
        await self.update_guild_settings(guild_id, run_enabled=int(enabled))

    async def save_guild_pack(
        self, guild_id: int, pack_id: str, *, source: str, uploaded_by: int, uploaded_at: float
    ) -> bool:
        """Store an uploaded pack for one server; returns True when it replaced an earlier upload."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "SELECT 1 FROM guild_packs WHERE guild_id = ? AND pack_id = ?", (guild_id, pack_id)
            )
            replaced = await cursor.fetchone() is not None
            await db.execute(
                "INSERT INTO guild_packs (guild_id, pack_id, source, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id, pack_id) DO UPDATE SET source = excluded.source,"
                " uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at",
                (guild_id, pack_id, source, uploaded_by, uploaded_at),
            )
        return replaced

    async def guild_pack_sources(self) -> list[tuple[int, str, str]]:
        """Every uploaded pack as (server, pack id, YAML text)."""
        async with self._db.execute("SELECT guild_id, pack_id, source FROM guild_packs ORDER BY uploaded_at") as cur:
            return [(int(r[0]), str(r[1]), str(r[2])) for r in await cur.fetchall()]
