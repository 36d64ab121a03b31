"""Live-quiz components as dynamic items, routed by custom_id alone so they keep working across restarts.

custom_id scheme (at most 100 characters; `play` is the session id, `round` is ``<play>-<index>``):
- ``quiz:j:<play>`` — Join the lobby (or a running session);
- ``quiz:go:<play>`` — Start now (moderators);
- ``quiz:a:<round>:<letter>`` — answer with choice A–E;
- ``quiz:h:<round>`` — show the hint.
A click on a session that is no longer running (finished, stopped, or ended by a restart) is answered
"This quiz session has ended."; one on an earlier question of a running session, "This question has closed."
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.packs.models import LETTERS
from bot.ui.routed import RoutedButton, cog_of

if TYPE_CHECKING:
    from cogs.quiz._cog import QuizCog

PLAY = r"[a-z0-9]+"
ROUND = rf"{PLAY}-\d+"


def _cog(interaction: discord.Interaction) -> QuizCog:
    from cogs.quiz._cog import QuizCog

    return cog_of(interaction, QuizCog)


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
        await _cog(interaction).on_join(interaction, self.play_id)


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
        await _cog(interaction).on_start_now(interaction, self.play_id)


class LiveAnswerButton(RoutedButton, template=rf"quiz:a:(?P<round>{ROUND}):(?P<choice>[A-E])"):
    def __init__(self, round_id: str, choice: str) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=choice, style=discord.ButtonStyle.primary, custom_id=f"quiz:a:{round_id}:{choice}", row=0
        )
        super().__init__(button)
        self.round_id = round_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> LiveAnswerButton:
        return cls(match["round"], match["choice"])

    async def handle(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_answer(interaction, self.round_id, self.choice)


class LiveHintButton(RoutedButton, template=rf"quiz:h:(?P<round>{ROUND})"):
    def __init__(self, round_id: str) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="Hint", emoji="💡", style=discord.ButtonStyle.secondary, custom_id=f"quiz:h:{round_id}", row=1
        )
        super().__init__(button)
        self.round_id = round_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> LiveHintButton:
        return cls(match["round"])

    async def handle(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_hint(interaction, self.round_id)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    JoinButton,
    StartNowButton,
    LiveAnswerButton,
    LiveHintButton,
)


def lobby_view(play_id: str, *, closed: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    join, start = JoinButton(play_id), StartNowButton(play_id)
    view.add_item(join)
    view.add_item(start)
    if closed:
        join.item.disabled = True
        start.item.disabled = True
    return view


def question_view(round_id: str, choices: int, *, answer: str | None = None, closed: bool = False) -> discord.ui.View:
    """Answer buttons and Hint; once closed, the same buttons disabled with the right answer in green."""
    view = discord.ui.View(timeout=None)
    for letter in LETTERS[:choices]:
        button = LiveAnswerButton(round_id, letter)
        if closed:
            button.item.disabled = True
            button.item.style = discord.ButtonStyle.success if letter == answer else discord.ButtonStyle.secondary
        view.add_item(button)
    hint = LiveHintButton(round_id)
    hint.item.disabled = closed
    view.add_item(hint)
    return view
