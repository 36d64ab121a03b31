"""Which question a server gets on a given day: deterministic, multiple-choice only, fresh when possible.

Rule: the candidates are the multiple-choice questions of every pack the server can play (never `code`
questions, which need a private editor), ordered by pack and question id. Questions used by the server's last
`RECENT_POSTS` daily posts are left out; when that leaves none, the ones used longest ago are the candidates.
The day's question is then picked from them by a hash of the server and the day, so the same server, day, packs
and history always give the same question (a restart or a second process picks the very same one), while
different servers and days spread over the packs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from bot.domain.questions import Pack, Question

RECENT_POSTS = 30
"""How many of a server's latest daily posts a new question should not repeat."""


def daily_candidates(packs: Iterable[Pack]) -> list[tuple[Pack, Question]]:
    """The multiple-choice questions of `packs`, by pack id and question id."""
    found = [
        (pack, question)
        for pack in packs
        for question in pack.questions
        if question.type != "code" and question.choices and question.answer
    ]
    return sorted(found, key=lambda item: (item[0].id, item[1].id))


def choose_question(
    candidates: Sequence[tuple[Pack, Question]],
    *,
    guild_id: int,
    day: str,
    recent: Sequence[tuple[str, str]] = (),
) -> tuple[Pack, Question] | None:
    """The day's question among `candidates` (see the module's rule); `recent` is (pack id, question id) of the
    latest posts, newest first. None when there is no candidate at all."""
    ordered = sorted(
        ((pack, question) for pack, question in candidates if question.type != "code" and question.choices),
        key=lambda item: (item[0].id, item[1].id),
    )
    if not ordered:
        return None
    age: dict[tuple[str, str], int] = {}
    for position, key in enumerate(recent):
        age.setdefault(key, position)  # the newest use counts
    fresh = [item for item in ordered if (item[0].id, item[1].id) not in age]
    if fresh:
        pool = fresh
    else:
        oldest = max(age[(pack.id, question.id)] for pack, question in ordered)
        pool = [item for item in ordered if age[(item[0].id, item[1].id)] == oldest]
    digest = hashlib.sha256(f"{guild_id}:{day}".encode()).digest()
    return pool[int.from_bytes(digest[:8], "big") % len(pool)]
