"""What makes one private mode differ from another: timing, points and the words of its titles."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.plays import EARNS_POINTS, PlayMode
from bot.domain.questions import Pack
from bot.engine import QuizError


class NotYourPlay(QuizError):
    def __init__(self) -> None:
        super().__init__("This belongs to someone else; start your own from the command.")


@dataclass(frozen=True)
class PrivateMode:
    """What makes one private mode differ from another."""

    mode: PlayMode
    title: str
    """Shown before "· Problem n/m": the pack's title for a challenge, else the mode's name ("Practice")."""

    @property
    def summary_title(self) -> str:
        """Shown before "complete" at the end: "Autograd Basics · challenge", "Practice"."""
        return f"{self.title} · challenge" if self.mode is PlayMode.CHALLENGE else self.title

    @property
    def timed(self) -> bool:
        return self.mode is PlayMode.CHALLENGE

    @property
    def earns_points(self) -> bool:
        return self.mode in EARNS_POINTS


TITLES = {PlayMode.PRACTICE: "Practice", PlayMode.REVIEW: "Review"}


def policy_for(mode: PlayMode, pack: Pack) -> PrivateMode:
    """The private mode of a play: a challenge is titled by its pack, the others by their mode."""
    return PrivateMode(mode, TITLES.get(mode, pack.title))
