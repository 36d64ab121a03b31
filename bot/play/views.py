"""The round view every mode shows: answer buttons A–E (or Submit code), and Hint; disabled once it closes."""

from __future__ import annotations

from collections.abc import Collection

import discord

from bot.domain.questions import LETTERS
from bot.play.buttons import AnswerButton, CodeButton, HintButton


def round_view(
    round_id: str,
    choices: int,
    *,
    closed: bool = False,
    answer: str | None = None,
    tried: Collection[str] = (),
) -> discord.ui.View:
    """Buttons for an open round (Submit code when `choices` is 0); closed, the same buttons disabled.

    Closed buttons stay on the message, the right answer green and the member's wrong picks red, so a click from
    a client that has not refreshed still finds its button and is answered "This question has closed."
    """
    view = discord.ui.View(timeout=None)
    if choices == 0:
        view.add_item(CodeButton(round_id))
    for letter in LETTERS[:choices]:
        view.add_item(AnswerButton(round_id, letter))
    view.add_item(HintButton(round_id))
    if closed:
        for child in view.children:
            if isinstance(child, AnswerButton):
                child.item.style = (
                    discord.ButtonStyle.success
                    if child.choice == answer
                    else discord.ButtonStyle.danger
                    if child.choice in tried
                    else discord.ButtonStyle.secondary
                )
            if isinstance(child, AnswerButton | HintButton | CodeButton):
                child.item.disabled = True
    return view
