"""Reading a bot's database from a test, whichever engine it is on, in the shape of `sqlite3`'s own calls:

    with read_database(world.database) as db:
        rows = db.execute("SELECT ... WHERE user_id = ?", (user,)).fetchall()

A SQLite path opens the file; a `postgresql://` URL runs each query through asyncpg on a loop of its own in a
worker thread (the test's loop keeps serving the fake Discord meanwhile). Reads only: tests change the database
through `Store`, as the bot does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg

from bot.storage.placeholders import numbered
from bot.storage.target import is_postgres


class Fetched:
    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows

    def fetchone(self) -> Any:  # as sqlite3 types it: tests index the row directly
        return self._rows[0] if self._rows else None


class PostgresReader:
    def __init__(self, url: str) -> None:
        self._url = url

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Fetched:
        text, _ = numbered(sql)

        async def fetch() -> list[tuple[Any, ...]]:
            conn = await asyncpg.connect(self._url)
            try:
                return [tuple(record) for record in await conn.fetch(text, *params)]
            finally:
                await conn.close()

        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return Fetched(pool.submit(asyncio.run, fetch()).result())


@contextmanager
def read_database(database: Path | str) -> Iterator[sqlite3.Connection | PostgresReader]:
    if is_postgres(database):
        yield PostgresReader(str(database))
        return
    with sqlite3.connect(database) as db:
        yield db
