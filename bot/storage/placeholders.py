"""Turning the shared SQL's placeholders (`?`, `:name`) into PostgreSQL's numbered ones (`$1`, `$2`, …).

Only placeholders outside quoted text count: `'10:30'` and `"odd?name"` stay as they are, and `::` (a cast) is
never taken for a name. A statement uses one style; the numbering is worked out once per statement text.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from bot.storage.engine import Params


@functools.lru_cache(maxsize=1024)
def numbered(sql: str) -> tuple[str, tuple[str, ...] | None]:
    """`sql` with numbered placeholders, and the names in number order (None when it used `?`)."""
    out: list[str] = []
    names: list[str] = []
    positional = 0
    quote: str | None = None
    i = 0
    while i < len(sql):
        char = sql[i]
        if quote is not None:
            out.append(char)
            if char == quote:
                quote = None
            i += 1
            continue
        if char in "'\"":
            quote = char
            out.append(char)
            i += 1
        elif char == "?":
            positional += 1
            out.append(f"${positional}")
            i += 1
        elif char == ":" and i + 1 < len(sql) and (sql[i + 1].isalpha() or sql[i + 1] == "_") and sql[i - 1 : i] != ":":
            end = i + 1
            while end < len(sql) and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            name = sql[i + 1 : end]
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            i = end
        else:
            out.append(char)
            i += 1
    if positional and names:
        raise ValueError("a statement uses either ? or :name placeholders, not both")
    return "".join(out), (tuple(names) if names else None)


def bind(names: tuple[str, ...] | None, params: Params) -> Sequence[Any]:
    """The arguments in placeholder order."""
    if names is None:
        if isinstance(params, Mapping):
            if params:
                raise ValueError("named parameters given to a statement with ? placeholders")
            return ()
        return tuple(params)
    if not isinstance(params, Mapping):
        raise ValueError(f"the statement names its parameters ({', '.join(names)}); give a mapping")
    return tuple(params[name] for name in names)
