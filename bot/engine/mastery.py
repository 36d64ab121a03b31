"""How well a member knows each topic (a question tag), from their cards or, failing those, their accuracy.

Rule: a tag's score is the mean FSRS retrievability, a week from now, of the member's cards whose question carries
the tag (source "memory": what they would still remember in a week, so it fades between reviews). A week ahead
rather than now, because FSRS counts whole days: every card answered today would read 100% however it went,
while a week out a missed question (low stability) and a well-known one (high stability) are far apart. A tag
with no card yet scores
the member's accuracy on it, correct / answered (source "accuracy"). A tag with neither is left out. Pure: the
caller brings the cards with their questions' tags (tags live in packs) and the accuracy from the results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.engine.review import CardState, ReviewScheduler

MasterySource = Literal["memory", "accuracy"]
HORIZON_SECONDS = 7 * 24 * 3600.0
"""How far ahead recall is estimated (see the module docstring)."""


@dataclass(frozen=True)
class TopicMastery:
    tag: str
    score: float
    """0..1."""
    source: MasterySource
    questions: int
    """Cards behind a "memory" score; questions answered behind an "accuracy" score."""


def topic_mastery(
    cards_with_tags: Iterable[tuple[CardState, Sequence[str]]],
    accuracy_by_tag: Mapping[str, tuple[int, int]],
    scheduler: ReviewScheduler,
    now: float,
) -> list[TopicMastery]:
    """Every tag's estimate, strongest first (ties: more questions first, then by tag).

    `accuracy_by_tag` maps a tag to (correct, answered), as `Store.accuracy_by_tag` returns it.
    """
    recall: dict[str, list[float]] = {}
    for card, tags in cards_with_tags:
        retrievability = scheduler.retrievability(card, now + HORIZON_SECONDS)
        for tag in dict.fromkeys(tags):
            recall.setdefault(tag, []).append(retrievability)
    found = [TopicMastery(tag, sum(values) / len(values), "memory", len(values)) for tag, values in recall.items()]
    for tag, (correct, answered) in accuracy_by_tag.items():
        if tag not in recall and answered > 0:
            found.append(TopicMastery(tag, min(max(correct / answered, 0.0), 1.0), "accuracy", answered))
    return sorted(found, key=lambda m: (-m.score, -m.questions, m.tag))


def strongest(masteries: Sequence[TopicMastery], n: int) -> list[TopicMastery]:
    """The `n` best-known topics, strongest first."""
    return sorted(masteries, key=lambda m: (-m.score, -m.questions, m.tag))[: max(n, 0)]


def weakest(masteries: Sequence[TopicMastery], n: int) -> list[TopicMastery]:
    """The `n` least-known topics, weakest first (what to practise next)."""
    return sorted(masteries, key=lambda m: (m.score, -m.questions, m.tag))[: max(n, 0)]
