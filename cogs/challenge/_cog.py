"""`/challenge pack`: the timed challenge, played privately by one member."""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.engine import ChallengeRun, QuestionClosed, QuizError
from bot.ui.format import clip
from bot.ui.pack_choices import pack_choices
from cogs.challenge._buttons import AnswerButton, HintButton, SubmitCodeButton
from cogs.challenge._session import ChallengeSession

log = logging.getLogger(__name__)


class NotYourChallenge(QuizError):
    def __init__(self) -> None:
        super().__init__("This challenge belongs to someone else; start your own with /challenge.")


def new_run_id() -> str:
    return secrets.token_hex(5)


class ChallengeCog(commands.Cog, name="Challenge"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot
        self.sessions: dict[str, ChallengeSession] = {}
        self.by_member: dict[int, str] = {}

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AnswerButton, HintButton, SubmitCodeButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AnswerButton, HintButton, SubmitCodeButton)
        for session in list(self.sessions.values()):
            await session.end(self.bot.clock(), status="abandoned")

    @app_commands.command(name="challenge", description="Play a pack's problems against the clock, privately.")
    @app_commands.describe(pack="The question pack to play")
    async def challenge(self, interaction: discord.Interaction, pack: str) -> None:
        chosen = self.bot.packs.get(pack, interaction.guild_id)
        if chosen is None:
            await interaction.response.send_message(
                f"There is no pack called `{clip(pack, 80)}`. Pick one from the list as you type.",
                ephemeral=True,
            )
            return
        questions = list(chosen.questions)
        if self.bot.sandbox_unavailable() is not None:
            # Code problems need the sandbox; play the rest rather than refuse the whole pack.
            questions = [q for q in questions if q.type != "code"]
        if not questions:
            reason = self.bot.sandbox_unavailable()
            await interaction.response.send_message(
                f"That pack has only code problems, and code can't run right now: {reason}.", ephemeral=True
            )
            return
        previous = self.sessions.get(self.by_member.get(interaction.user.id, ""))
        if previous is not None:
            await previous.end(self.bot.clock(), status="abandoned")
        run = ChallengeRun(new_run_id(), chosen, interaction.user.id, questions)
        session = ChallengeSession(self.bot, run, interaction.guild_id, on_end=self._forget)
        self.sessions[run.run_id] = session
        self.by_member[interaction.user.id] = run.run_id
        log.info("challenge %s: %s started by %s", run.run_id, chosen.id, interaction.user.id)
        await session.start(interaction)

    @challenge.autocomplete("pack")
    async def _pack_names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return pack_choices(self.bot.packs, interaction.guild_id, current)

    def _session_for(self, interaction: discord.Interaction, round_id: str) -> ChallengeSession:
        session = self.sessions.get(round_id.rsplit("-", 1)[0])
        if session is None or session.ended:
            raise QuestionClosed()
        if interaction.user.id != session.run.member_id:
            raise NotYourChallenge()
        return session

    async def on_answer(self, interaction: discord.Interaction, round_id: str, choice: str) -> None:
        await self._session_for(interaction, round_id).answer(interaction, round_id, choice)

    async def on_code_button(self, interaction: discord.Interaction, round_id: str) -> None:
        await self._session_for(interaction, round_id).open_code_box(interaction, round_id)

    async def on_code_submit(self, interaction: discord.Interaction, round_id: str, code: str) -> None:
        await self._session_for(interaction, round_id).submit_code(interaction, round_id, code)

    async def on_hint(self, interaction: discord.Interaction, round_id: str) -> None:
        await self._session_for(interaction, round_id).hint(interaction, round_id)

    def _forget(self, session: ChallengeSession) -> None:
        self.sessions.pop(session.run.run_id, None)
        if self.by_member.get(session.run.member_id) == session.run.run_id:
            del self.by_member[session.run.member_id]
