"""Moving a database the real bot wrote to the other engine with `python -m bot db migrate`: every count equal,
and the bot serves the members' data from the copy."""

from __future__ import annotations

from pathlib import Path

from bot.storage.copy import REBUILT, TABLES
from bot.storage.target import is_postgres
from tests.database_reader import read_database
from tests.e2e.conftest import World
from tests.e2e.player import Player
from tests.fakediscord import run_bot_process
from tests.servers.postgres import PostgresServer
from tests.unit.test_cli import run_bot

CORRECT = ["A", "B", "A", "C", "D"]


def counts(database: Path | str) -> dict[str, int]:
    with read_database(database) as db:
        return {table: int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]) for table in (*TABLES, *REBUILT)}


async def test_a_database_the_bot_wrote_moves_to_the_other_engine_whole(
    world: World, tmp_path: Path, postgres_server: PostgresServer
) -> None:
    alice, bob = world.members["alice"], world.members["bob"]
    async with run_bot_process(world.fake, world.env()):
        for member in (alice, bob):
            player = Player(world.fake, member, world.channel_id)
            await player.start()
            for letter in CORRECT:
                await player.answer_and_advance(letter)
        await (await world.fake.slash(alice, "privacy", subcommand="hide", channel_id=world.channel_id)).response()
    before = counts(world.database)
    assert before["results"] == 10 and before["badges"] == 2 and before["hidden_members"] == 1

    target: Path | str = tmp_path / "moved.db" if is_postgres(world.database) else postgres_server.create_database()
    done = run_bot("db", "migrate", "--from", str(world.database), "--to", str(target), env={"TORCHQUIZ_TOKEN": "t"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert counts(target) == before

    world.database = target  # the bot now starts on the copy
    async with run_bot_process(world.fake, world.env()):
        profile = await (await world.fake.slash(alice, "profile", channel_id=world.channel_id)).response()
        assert profile.message is not None and "865" in profile.message.text
