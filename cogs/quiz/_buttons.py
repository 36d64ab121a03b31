"""The lobby buttons of a live quiz, routed by custom_id alone through the play registry (never the cog).

custom_id scheme (at most 100 characters; `play` is the session id):
- ``quiz:j:<play>`` — Join the lobby (or a running session);
- ``quiz:go:<play>`` — Start now (its host or a moderator).
Answers and hints use the play layer's buttons (`bot.play.buttons`), which also accept the older ``quiz:a:`` and
``quiz:h:`` ids. A click on a session that is no longer running is answered "This quiz session has ended."
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.engine.live import SessionEnded
from bot.ui.routed import RoutedButton

if TYPE_CHECKING:
    from bot.client import TorchQuizBot
    from cogs.quiz._runner import LiveQuiz

PLAY = r"[a-z0-9]+"


def _quiz(interaction: discord.Interaction, play_id: str) -> LiveQuiz:
    from cogs.quiz._runner import LiveQuiz

    play = cast("TorchQuizBot", interaction.client).plays.get(play_id)
    if not isinstance(play, LiveQuiz):
        raise SessionEnded()
    return play


class JoinButton(RoutedButton, template=rf"quiz:j:(?P<play>{PLAY})"):
    def __init__(self, play_id: str) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Join", emoji="🙋", style=discord.ButtonStyle.success, custom_id=f"quiz:j:{play_id}"
        )
        super().__init__(button)
        self.play_id = play_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> JoinButton:
        return cls(match["play"])

    async def handle(self, interaction: discord.Interaction) -> None:
        await _quiz(interaction, self.play_id).on_join(interaction)


class StartNowButton(RoutedButton, template=rf"quiz:go:(?P<play>{PLAY})"):
    def __init__(self, play_id: str) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Start now", emoji="▶️", style=discord.ButtonStyle.secondary, custom_id=f"quiz:go:{play_id}"
        )
        super().__init__(button)
        self.play_id = play_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StartNowButton:
        return cls(match["play"])

    async def handle(self, interaction: discord.Interaction) -> None:
        await _quiz(interaction, self.play_id).on_start_now(interaction)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (JoinButton, StartNowButton)


def lobby_view(play_id: str, *, closed: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    join, start = JoinButton(play_id), StartNowButton(play_id)
    view.add_item(join)
    view.add_item(start)
    if closed:
        join.item.disabled = True
        start.item.disabled = True
    return view
