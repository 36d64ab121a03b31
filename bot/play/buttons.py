"""One routed button family for every play: answer, hint and code, found by custom_id alone.

custom_id scheme (at most 100 characters; ``round`` is ``<play>-<index>``):

- ``play:a:<round>:<A–E>`` answers, ``play:h:<round>`` shows the hint, ``play:c:<round>`` opens the code box
  (its modal is ``play:m:<round>``);
- the ids of earlier versions keep working as aliases: ``chal:a|h|c:…`` (timed challenges) and
  ``quiz:a|h:…`` (live quizzes).

A click finds its play in the bot's registry. When the play is no longer running (finished, replaced, or ended
by a restart) the member is told so in the words of its mode: "This quiz session has ended." for a live quiz,
"This question has closed." otherwise.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.domain.plays import PlayMode
from bot.engine import QuestionClosed
from bot.engine.live import SessionEnded
from bot.replies import reply_error
from bot.ui.routed import RoutedButton

if TYPE_CHECKING:
    from bot.client import TorchQuizBot
    from bot.play.registry import Play

ROUND = r"[a-z0-9]+-\d+"
FAMILY = r"(?P<family>play|chal|quiz)"


def _bot(interaction: discord.Interaction) -> TorchQuizBot:
    return cast("TorchQuizBot", interaction.client)


async def play_for(interaction: discord.Interaction, round_id: str, family: str = "play") -> Play:
    """The running play a round belongs to, or the closed-play error its mode uses."""
    play_id = round_id.rsplit("-", 1)[0]
    bot = _bot(interaction)
    play = bot.plays.get(play_id)
    if play is not None:
        return play
    mode = PlayMode.LIVE if family == "quiz" else await bot.store.play_mode(play_id)
    raise SessionEnded() if mode is PlayMode.LIVE else QuestionClosed()


class AnswerButton(RoutedButton, template=rf"{FAMILY}:a:(?P<round>{ROUND}):(?P<choice>[A-E])"):
    def __init__(self, round_id: str, choice: str, family: str = "play") -> None:
        super().__init__(
            discord.ui.Button(
                label=choice, style=discord.ButtonStyle.primary, custom_id=f"play:a:{round_id}:{choice}", row=0
            )
        )
        self.round_id, self.choice, self.family = round_id, choice, family

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        return cls(match["round"], match["choice"], match["family"])

    async def handle(self, interaction: discord.Interaction) -> None:
        play = await play_for(interaction, self.round_id, self.family)
        await play.answer(interaction, self.round_id, self.choice)


class HintButton(RoutedButton, template=rf"{FAMILY}:h:(?P<round>{ROUND})"):
    def __init__(self, round_id: str, family: str = "play") -> None:
        super().__init__(
            discord.ui.Button(
                label="Hint", emoji="💡", style=discord.ButtonStyle.secondary, custom_id=f"play:h:{round_id}", row=1
            )
        )
        self.round_id, self.family = round_id, family

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> HintButton:
        return cls(match["round"], match["family"])

    async def handle(self, interaction: discord.Interaction) -> None:
        play = await play_for(interaction, self.round_id, self.family)
        await play.hint(interaction, self.round_id)


class CodeButton(RoutedButton, template=rf"{FAMILY}:c:(?P<round>{ROUND})"):
    def __init__(self, round_id: str, family: str = "play") -> None:
        super().__init__(
            discord.ui.Button(
                label="Submit code",
                emoji="🧪",
                style=discord.ButtonStyle.primary,
                custom_id=f"play:c:{round_id}",
                row=0,
            )
        )
        self.round_id, self.family = round_id, family

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CodeButton:
        return cls(match["round"], match["family"])

    async def handle(self, interaction: discord.Interaction) -> None:
        play = await play_for(interaction, self.round_id, self.family)
        await play.open_code(interaction, self.round_id)


class CodeModal(discord.ui.Modal):
    """The code box of a `code` question, prefilled with the starter (or the member's last submission)."""

    code: discord.ui.TextInput[CodeModal] = discord.ui.TextInput(
        label="Your code", custom_id="code", style=discord.TextStyle.paragraph, max_length=4000
    )

    def __init__(self, round_id: str, prefill: str) -> None:
        super().__init__(title="Submit code", timeout=15 * 60, custom_id=f"play:m:{round_id}")
        self.round_id = round_id
        self.code.default = prefill[:4000]

    async def on_submit(self, interaction: discord.Interaction) -> None:
        play = await play_for(interaction, self.round_id)
        await play.submit_code(interaction, self.round_id, self.code.value)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await reply_error(interaction, error)


ROUTED_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (AnswerButton, HintButton, CodeButton)
