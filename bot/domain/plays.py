"""The closed vocabularies of plays, defined once: what kind of play it is and where it stands.

Stored as text with a CHECK constraint that lists exactly these values, so the database refuses a typo.
"""

from __future__ import annotations

from enum import StrEnum


class PlayMode(StrEnum):
    """How questions are chosen, timed, scored and delivered."""

    CHALLENGE = "challenge"
    """A pack's problems against the clock, privately; points and the pack's badge."""
    LIVE = "live"
    """A moderator's quiz in a channel: everybody answers the same question at once, with speed scoring."""
    PRACTICE = "practice"
    """Untimed and private, with the explanation after each answer; feeds review and mastery, earns no points."""
    REVIEW = "review"
    """The member's due cards, spaced by FSRS; private and untimed, no points."""
    DAILY = "daily"
    """One question a day per server, the same for everyone, answered privately; keeps a daily streak."""


class PlayStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    ABANDONED = "abandoned"
    """Ended early by its player or its cog: replaced by a new play, stopped, or unloaded; results kept."""
    STOPPED = "stopped"
    """Ended early by a moderator (a live quiz's /quiz stop); results so far kept."""
    INTERRUPTED = "interrupted"
    """Cut off by a shutdown and closed at the next start, with its results saved."""
    CANCELLED = "cancelled"
    """Never got going: a live quiz nobody joined."""


EARNS_POINTS = frozenset({PlayMode.CHALLENGE, PlayMode.LIVE, PlayMode.DAILY})
"""Modes whose results count on leaderboards; practice and review teach without scoring."""
