"""Which question a server gets on a day: deterministic, multiple-choice only, fresh for 30 posts when possible."""

from __future__ import annotations

import pytest

from bot.domain.questions import Pack, Question
from bot.packs import load_library
from cogs.daily._choice import RECENT_POSTS, choose_question, daily_candidates
from tests.conftest import CHALLENGES


@pytest.fixture(scope="module")
def packs() -> list[Pack]:
    return list(load_library([CHALLENGES]).packs.values())


def key(item: tuple[Pack, Question] | None) -> tuple[str, str]:
    assert item is not None
    pack, question = item
    return pack.id, question.id


def test_candidates_are_the_multiple_choice_questions_in_a_fixed_order(packs: list[Pack]) -> None:
    candidates = daily_candidates(packs)
    assert candidates, "the shipped packs have multiple-choice questions"
    assert all(q.type != "code" and q.choices and q.answer for _, q in candidates)
    every_mc = sum(1 for pack in packs for q in pack.questions if q.type != "code")
    assert len(candidates) == every_mc
    assert [key(c) for c in candidates] == sorted(key(c) for c in candidates)
    assert daily_candidates(reversed(packs)) == candidates  # the library's order does not matter


def test_the_same_server_and_day_always_get_the_same_question(packs: list[Pack]) -> None:
    candidates = daily_candidates(packs)
    first = choose_question(candidates, guild_id=7, day="2025-07-01")
    assert key(first) == key(choose_question(list(reversed(candidates)), guild_id=7, day="2025-07-01"))
    days = {key(choose_question(candidates, guild_id=7, day=f"2025-07-{d:02d}")) for d in range(1, 29)}
    servers = {key(choose_question(candidates, guild_id=g, day="2025-07-01")) for g in range(1, 29)}
    assert len(days) > 10 and len(servers) > 10  # spread over the packs, not stuck on one question


def test_code_questions_are_never_chosen(packs: list[Pack]) -> None:
    code_only = [(pack, q) for pack in packs for q in pack.questions if q.type == "code"]
    assert code_only
    assert choose_question(code_only, guild_id=1, day="2025-07-01") is None
    assert choose_question([], guild_id=1, day="2025-07-01") is None
    mixed = code_only + daily_candidates(packs)[:1]
    assert key(choose_question(mixed, guild_id=1, day="2025-07-01")) == key(daily_candidates(packs)[0])


def test_questions_of_the_last_posts_are_avoided(packs: list[Pack]) -> None:
    candidates = daily_candidates(packs)[:40]
    recent: list[tuple[str, str]] = []
    for day in range(1, RECENT_POSTS + 1):
        chosen = key(choose_question(candidates, guild_id=3, day=f"2025-06-{day:02d}", recent=recent))
        assert chosen not in recent
        recent.insert(0, chosen)  # newest first, as the store returns them
    assert len(set(recent)) == RECENT_POSTS


def test_when_every_question_is_recent_the_one_used_longest_ago_comes_back(packs: list[Pack]) -> None:
    candidates = daily_candidates(packs)[:3]
    keys = [key(c) for c in candidates]
    recent = [keys[1], keys[0], keys[2], keys[1]]  # newest first: keys[2] was used longest ago
    assert key(choose_question(candidates, guild_id=5, day="2025-07-01", recent=recent)) == keys[2]
    # a question from a pack that is gone does not count against the others
    fresh = choose_question(candidates, guild_id=5, day="2025-07-01", recent=[("gone", "q"), *keys[:2]])
    assert key(fresh) == keys[2]
