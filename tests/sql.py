"""Reading a test's database directly, whichever engine it is on: what a test checks was really stored."""

from __future__ import annotations

from typing import Any

from bot.storage import Store


async def query(store: Store, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of `sql` (written with `?` placeholders) as tuples, read through the store's own engine."""
    return [tuple(row) for row in await store._db.fetchall(sql, params)]


async def tables_with_column(store: Store, column: str) -> set[str]:
    """The tables that have a column called `column`."""
    if store.engine_name == "postgresql":
        sql = "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = ?"
    else:
        sql = "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = ?"
    return {str(row[0]) for row in await query(store, sql, (column,))}
