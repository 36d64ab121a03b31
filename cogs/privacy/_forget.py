"""The confirmation of `/forget-me`: "Delete everything" or "Cancel", for the member who asked, for two minutes.

A plain view rather than routed buttons on purpose: a confirmation to delete everything should not stay live for
ever, nor survive a restart. When it expires, or after a restart, its buttons answer "This button is no longer
active." (`bot.client`) and nothing is deleted.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.domain.plays import PlayStatus
from bot.replies import reply_error, send_private
from bot.ui.format import plural

if TYPE_CHECKING:
    from bot.client import TorchQuizBot

log = logging.getLogger(__name__)

CONFIRM_SECONDS = 120
NOT_YOURS = "This belongs to someone else; run /forget-me yourself to delete your own data."
WARNING = (
    "⚠️ **Delete everything TorchQuiz stores about you?**\n"
    "Your answers, points and leaderboard places, streaks, badges, review cards and review history, daily streaks,"
    " your private challenges, practice and reviews, and your privacy setting. A running challenge of yours is"
    " ended first. This cannot be undone; `/export-my-data` gives you a copy first.\n"
    f"-# This confirmation expires in {CONFIRM_SECONDS // 60} minutes."
)
CANCELLED = "Nothing was deleted."
EXPIRED = "Nothing was deleted: the confirmation expired. Run `/forget-me` again if you still want to."

# What each table's rows are, in the member's words, in the order they are reported.
TABLE_WORDS: dict[str, tuple[str, str]] = {
    "results": ("answered question", "answered questions"),
    "attempts": ("answer click", "answer clicks"),
    "hints": ("hint taken", "hints taken"),
    "participants": ("live quiz joined", "live quizzes joined"),
    "plays": ("private play", "private plays"),
    "rounds": ("question of those plays", "questions of those plays"),
    "play_items": ("queued question", "queued questions"),
    "members": ("streak record", "streak records"),
    "badges": ("badge", "badges"),
    "cards": ("review card", "review cards"),
    "review_logs": ("review", "reviews"),
    "daily_streaks": ("daily streak", "daily streaks"),
    "hidden_members": ("privacy setting", "privacy settings"),
    "board_totals": ("leaderboard total", "leaderboard totals"),
    "result_tags": ("answer topic", "answer topics"),
}


def deletion_report(deleted: dict[str, int]) -> str:
    """What `forget_member` deleted, per table, in the member's words ("12 answered questions, 3 badges")."""
    counts = [(table, count) for table, count in deleted.items() if count > 0]
    if not counts:
        return "🗑️ TorchQuiz had nothing stored about you, so there was nothing to delete."
    order = list(TABLE_WORDS)
    counts.sort(key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    parts = []
    for table, count in counts:
        one, many = TABLE_WORDS.get(table, (table, table))
        parts.append(f"{count} {one if count == 1 else many}")
    return (
        f"🗑️ Done: everything TorchQuiz stored about you is deleted ({plural(sum(c for _, c in counts), 'row')}):"
        f" {', '.join(parts)}."
    )


async def forget(bot: TorchQuizBot, member_id: int) -> dict[str, int]:
    """Stop the member's running plays (their answers saved, then deleted with the rest), then delete everything."""
    now = bot.clock()
    for play in bot.plays.running():
        if getattr(play, "member_id", None) == member_id:
            await play.stop(now, PlayStatus.ABANDONED)
    deleted = await bot.store.forget_member(member_id)
    log.info("forgot member %s: %s", member_id, {k: v for k, v in deleted.items() if v})
    return deleted


class ForgetView(discord.ui.View):
    def __init__(self, bot: TorchQuizBot, owner_id: int) -> None:
        super().__init__(timeout=CONFIRM_SECONDS)
        self.bot = bot
        self.owner_id = owner_id
        self.origin: discord.Interaction | None = None
        """The /forget-me interaction, whose token edits the confirmation when it expires."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await send_private(interaction, NOT_YOURS)
            return False
        return True

    @discord.ui.button(label="Delete everything", emoji="🗑️", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.defer()  # stopping plays and deleting may take more than a moment
        deleted = await forget(self.bot, self.owner_id)
        await interaction.edit_original_response(content=deletion_report(deleted), view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content=CANCELLED, view=None)

    async def on_timeout(self) -> None:
        if self.origin is None:
            return
        try:
            await self.origin.edit_original_response(content=EXPIRED, view=None)
        except discord.HTTPException as exc:
            log.info("could not mark the /forget-me confirmation of %s as expired: %s", self.owner_id, exc)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /) -> None:
        await reply_error(interaction, error)
