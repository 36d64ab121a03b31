"""Challenge buttons as dynamic items, so a click is routed by its custom_id alone.

custom_id scheme (at most 100 characters):
- ``chal:a:<round_id>:<letter>`` — answer the round with choice A–E;
- ``chal:h:<round_id>`` — show the round's hint;
- ``chal:c:<round_id>`` — open the code box of a `code` question (its modal is ``chal:m:<round_id>``).
`round_id` is ``<run_id>-<index>``. A click whose round is no longer open (closed, replaced, or lost in a
restart) is answered "This question has closed." instead of failing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.packs.models import LETTERS
from bot.replies import reply_error
from bot.ui.routed import RoutedButton, cog_of

if TYPE_CHECKING:
    from cogs.challenge._cog import ChallengeCog

ROUND_ID = r"[a-z0-9]+-\d+"


def _cog(interaction: discord.Interaction) -> ChallengeCog:
    from cogs.challenge._cog import ChallengeCog

    return cog_of(interaction, ChallengeCog)


class AnswerButton(
    RoutedButton,
    template=rf"chal:a:(?P<round>{ROUND_ID}):(?P<choice>[A-E])",
):
    def __init__(self, round_id: str, choice: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=choice,
                style=discord.ButtonStyle.primary,
                custom_id=f"chal:a:{round_id}:{choice}",
                row=0,
            )
        )
        self.round_id = round_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        return cls(match["round"], match["choice"])

    async def handle(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_answer(interaction, self.round_id, self.choice)


class HintButton(RoutedButton, template=rf"chal:h:(?P<round>{ROUND_ID})"):
    def __init__(self, round_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Hint",
                emoji="💡",
                style=discord.ButtonStyle.secondary,
                custom_id=f"chal:h:{round_id}",
                row=1,
            )
        )
        self.round_id = round_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> HintButton:
        return cls(match["round"])

    async def handle(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_hint(interaction, self.round_id)


class SubmitCodeButton(RoutedButton, template=rf"chal:c:(?P<round>{ROUND_ID})"):
    def __init__(self, round_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Submit code",
                emoji="🧪",
                style=discord.ButtonStyle.primary,
                custom_id=f"chal:c:{round_id}",
                row=0,
            )
        )
        self.round_id = round_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SubmitCodeButton:
        return cls(match["round"])

    async def handle(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_code_button(interaction, self.round_id)


class CodeModal(discord.ui.Modal):
    """The code box of a `code` question, prefilled with the starter (or the member's last submission)."""

    code: discord.ui.TextInput[CodeModal] = discord.ui.TextInput(
        label="Your code", custom_id="code", style=discord.TextStyle.paragraph, max_length=4000
    )

    def __init__(self, round_id: str, prefill: str) -> None:
        super().__init__(title="Submit code", timeout=15 * 60, custom_id=f"chal:m:{round_id}")
        self.round_id = round_id
        self.code.default = prefill[:4000]

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await _cog(interaction).on_code_submit(interaction, self.round_id, self.code.value)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await reply_error(interaction, error)


def problem_view(round_id: str, choices: int) -> discord.ui.View:
    """Answer buttons A–E for a multiple-choice problem, or **Submit code** when `choices` is 0."""
    view = discord.ui.View(timeout=None)
    if choices == 0:
        view.add_item(SubmitCodeButton(round_id))
    for letter in LETTERS[:choices]:
        view.add_item(AnswerButton(round_id, letter))
    view.add_item(HintButton(round_id))
    return view


def revealed_view(round_id: str, choices: int, answer: str | None, tried: list[str]) -> discord.ui.View:
    """The same buttons, disabled: the right answer green, the member's wrong picks red.

    Keeping (disabled) buttons rather than removing them means a click from a client that has not refreshed
    still finds its button and is answered "This question has closed." instead of going unanswered.
    """
    view = problem_view(round_id, choices)
    for child in view.children:
        if isinstance(child, AnswerButton):
            if child.choice == answer:
                child.item.style = discord.ButtonStyle.success
            elif child.choice in tried:
                child.item.style = discord.ButtonStyle.danger
            else:
                child.item.style = discord.ButtonStyle.secondary
        if isinstance(child, AnswerButton | HintButton | SubmitCodeButton):
            child.item.disabled = True
    return view
