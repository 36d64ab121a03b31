"""End-to-end fixtures: the real bot process connected to the loopback fake of Discord.

Each test gets its own fake server, database and bot process, and runs twice: on a SQLite file and on a database
of the test PostgreSQL server (the `database` fixture). A test fails if the bot ever sent something Discord would
refuse (`fake.violations`) or called a route the fake does not know (`fake.unhandled`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CHALLENGES
from tests.fakediscord import BotProcess, FakeDiscord, FakeUser, run_bot_process

TOKEN = "fake.bot.token"


@dataclass
class World:
    fake: FakeDiscord
    guild_id: int
    channel_id: int
    members: dict[str, FakeUser]
    quizmaster_role: int
    database: Path | str
    """A SQLite file or a `postgresql://` URL: what TORCHQUIZ_DATABASE names."""
    packs_dir: Path

    def env(self) -> dict[str, str]:
        return {
            "TORCHQUIZ_TOKEN": TOKEN,
            "TORCHQUIZ_DATABASE": str(self.database),
            "TORCHQUIZ_PACKS_DIR": str(self.packs_dir),
            "TORCHQUIZ_GUILD_READY_TIMEOUT": "0",
            "TORCHQUIZ_LOG_LEVEL": "INFO",
            "TORCHQUIZ_SANDBOX_ENABLED": "false",
        }

    def sandbox_env(self, **extra: str) -> dict[str, str]:
        """The environment with a one-worker sandbox and no cooldown, so runs follow each other at once."""
        return {
            **self.env(),
            "TORCHQUIZ_SANDBOX_ENABLED": "true",
            "TORCHQUIZ_SANDBOX_WORKERS": "1",
            "TORCHQUIZ_SANDBOX_COOLDOWN_SECONDS": "0",
            **extra,
        }


@pytest.fixture
async def world(database: Path | str) -> AsyncIterator[World]:
    async with FakeDiscord() as fake:
        guild = fake.add_guild("PyTorch study group")
        channel = fake.add_channel(guild, "quiz")
        quizmaster = fake.add_role(guild, "Quizmaster")
        members = {name: fake.add_member(guild, name) for name in ("alice", "bob", "carol")}
        members["dave"] = fake.add_member(guild, "dave", roles=(quizmaster,))
        members["mod"] = fake.add_member(guild, "mod", manage_guild=True)
        yield World(fake, guild, channel, members, quizmaster, database, CHALLENGES)
        assert fake.violations == [], "the bot broke one of Discord's rules"
        assert fake.unhandled == [], "the bot called a route the fake does not serve"


@pytest.fixture
async def bot(world: World) -> AsyncIterator[BotProcess]:
    async with run_bot_process(world.fake, world.env()) as process:
        yield process
