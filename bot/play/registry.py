"""The running plays by id: how a button click, routed by its custom_id alone, finds the play it belongs to.

Buttons never import a cog: they ask the registry (`TorchQuizBot.plays`). A cog that owns plays adds them here
and stops them when it unloads.
"""

from __future__ import annotations

from typing import Protocol

import discord

from bot.domain.plays import PlayMode, PlayStatus


class Play(Protocol):
    """What a running play answers to; each mode implements the actions that make sense for it."""

    @property
    def play_id(self) -> str: ...

    @property
    def mode(self) -> PlayMode: ...

    @property
    def ended(self) -> bool: ...

    async def answer(self, interaction: discord.Interaction, round_id: str, choice: str) -> None: ...

    async def hint(self, interaction: discord.Interaction, round_id: str) -> None: ...

    async def open_code(self, interaction: discord.Interaction, round_id: str) -> None: ...

    async def submit_code(self, interaction: discord.Interaction, round_id: str, code: str) -> None: ...

    async def stop(self, now: float, status: PlayStatus) -> None: ...


class PlayRegistry:
    def __init__(self) -> None:
        self._plays: dict[str, Play] = {}

    def add(self, play: Play) -> None:
        self._plays[play.play_id] = play

    def discard(self, play: Play) -> None:
        if self._plays.get(play.play_id) is play:
            del self._plays[play.play_id]

    def get(self, play_id: str) -> Play | None:
        play = self._plays.get(play_id)
        return None if play is None or play.ended else play

    def running(self, mode: PlayMode | None = None) -> list[Play]:
        return [play for play in self._plays.values() if not play.ended and (mode is None or play.mode is mode)]

    async def release(self, mode: PlayMode, now: float, *, shutting_down: bool) -> int:
        """A cog that owns `mode` unloads: its running plays stop, with their results so far saved.

        When the whole bot is shutting down they are only let go: they stay stored as running, so the next start
        resumes the ones whose problem is still open (`bot.play.restore`) and closes the others.
        """
        plays = self.running(mode)
        for play in plays:
            if not shutting_down:
                await play.stop(now, PlayStatus.ABANDONED)
            self.discard(play)
        return len(plays)
