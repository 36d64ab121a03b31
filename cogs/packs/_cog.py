"""`/packs list|info|upload`: browse the question packs, and let moderators add their own for their server."""

from __future__ import annotations

import io
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.engine import QuizError
from bot.engine.scoring import base_points
from bot.moderation import require_moderator
from bot.packs import Pack
from bot.packs.stats import DIFFICULTIES, TYPES
from bot.packs.upload import MAX_UPLOAD_BYTES, check_upload
from bot.ui.format import TYPE_LABELS, clip, fit_lines, inline_code, plain_line, plural
from bot.ui.pack_choices import pack_choices

log = logging.getLogger(__name__)


def list_embed(packs: list[Pack], uploaded: set[str]) -> discord.Embed:
    lines = []
    for pack in packs:
        badge = f" · {pack.badge.emoji} {pack.badge.name}" if pack.badge else ""
        mine = " · *this server's*" if pack.id in uploaded else ""
        lines.append(f"**{pack.title}** (`{pack.id}`) · {plural(len(pack.questions), 'question')}{badge}{mine}")
    return discord.Embed(
        title="Question packs",
        description=clip("\n".join(lines) or "No packs yet.", 4096),
        colour=discord.Colour.blurple(),
    ).set_footer(text="Play one with /challenge, or run it live with /quiz start. /packs info shows a pack.")


def info_embed(pack: Pack, *, uploaded: bool) -> discord.Embed:
    embed = discord.Embed(
        title=clip(pack.title, 256), description=clip(pack.description, 4096), colour=discord.Colour.blurple()
    )
    embed.add_field(name="Id", value=f"`{pack.id}`")
    embed.add_field(name="Author", value=clip(pack.author, 1024))
    embed.add_field(name="Questions", value=str(len(pack.questions)))
    types = [f"{TYPE_LABELS[t]} {n}" for t in TYPES if (n := sum(q.type == t for q in pack.questions))]
    levels = [f"{d.title()} {n}" for d in DIFFICULTIES if (n := sum(q.difficulty == d for q in pack.questions))]
    embed.add_field(name="Types", value=clip(" · ".join(types), 1024), inline=False)
    embed.add_field(name="Difficulty", value=clip(" · ".join(levels), 1024), inline=False)
    tags = sorted({tag for q in pack.questions for tag in q.tags})
    embed.add_field(name="Topics", value=clip(", ".join(tags), 1024), inline=False)
    points = sum(base_points(q.difficulty) for q in pack.questions)
    embed.add_field(name="Timer", value=f"{pack.defaults.time_limit} s, {pack.defaults.attempts} attempts")
    embed.add_field(name="Points on offer", value=str(points))
    if pack.badge is not None:
        embed.add_field(name="Badge", value=f"{pack.badge.emoji} {pack.badge.name}")
    if uploaded:
        embed.set_footer(text="Uploaded by this server's moderators.")
    return embed


@app_commands.guild_only()
class PacksCog(commands.GroupCog, name="Packs", group_name="packs", group_description="Question packs"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="list", description="The question packs you can play here.")
    async def list_packs(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id
        packs = self.bot.packs.available(guild_id)
        uploaded = {p.id for p in packs if self.bot.packs.is_uploaded(p.id, guild_id)}
        await interaction.response.send_message(embed=list_embed(packs, uploaded), ephemeral=True)

    @app_commands.command(name="info", description="What a pack covers: types, difficulty, topics, badge.")
    @app_commands.describe(pack="The question pack")
    async def info(self, interaction: discord.Interaction, pack: str) -> None:
        chosen = self.bot.packs.get(pack, interaction.guild_id)
        if chosen is None:
            raise QuizError(f"There is no pack called `{clip(pack, 80)}`.")
        uploaded = self.bot.packs.is_uploaded(chosen.id, interaction.guild_id)
        await interaction.response.send_message(embed=info_embed(chosen, uploaded=uploaded), ephemeral=True)

    @info.autocomplete("pack")
    async def _pack_names(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return pack_choices(self.bot.packs, interaction.guild_id, current)

    @app_commands.command(name="upload", description="Add a YAML pack for this server (moderators).")
    @app_commands.describe(file="A pack in TorchQuiz's YAML format (see the README)")
    async def upload(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        assert interaction.guild_id is not None
        await require_moderator(interaction, await self.bot.store.guild_settings(interaction.guild_id))
        # Reading the file and running every key in the sandbox takes longer than Discord's 3 s.
        await interaction.response.defer(ephemeral=True, thinking=True)
        if file.size > MAX_UPLOAD_BYTES:  # judged from Discord's metadata, without downloading it
            limit = f"is {file.size // 1024} KiB; packs may be at most {MAX_UPLOAD_BYTES // 1024} KiB"
            await self._report_problems(interaction, file.filename, [f"{file.filename}: {limit}"])
            return
        data = await file.read()
        checked = await check_upload(data, file.filename, self.bot.packs, self.bot.sandbox)
        if not checked.ok or checked.pack is None:
            await self._report_problems(interaction, file.filename, [str(p) for p in checked.problems])
            return
        pack = checked.pack
        replaced = await self.bot.store.save_guild_pack(
            interaction.guild_id,
            pack.id,
            source=data.decode("utf-8"),
            uploaded_by=interaction.user.id,
            uploaded_at=self.bot.clock(),
        )
        self.bot.packs.add_uploaded(interaction.guild_id, pack)
        log.info("server %s uploaded pack %s", interaction.guild_id, pack.id)
        verb = "replaced" if replaced else "added"
        await interaction.followup.send(
            f"✅ **{clip(pack.title, 100)}** (`{pack.id}`, {plural(len(pack.questions), 'question')}) {verb} for this "
            f"server; every answer key checked out. Play it with `/challenge {pack.id}`.",
            ephemeral=True,
        )

    async def _report_problems(self, interaction: discord.Interaction, filename: str, problems: list[str]) -> None:
        # Problems quote the file and what its code printed or raised: each is escaped onto one line, and the
        # message is cut by whole lines; the attached list keeps them as written.
        header = f"❌ {inline_code(filename, 80)} was not added: {plural(len(problems), 'problem')}."
        lines = [f"• {plain_line(p, 400)}" for p in problems]
        content = "\n".join([header, *lines])
        if len(content) <= 2000:
            await interaction.followup.send(content, ephemeral=True)
            return
        body = "\n".join(f"• {p}" for p in problems)
        report = discord.File(io.BytesIO(body.encode("utf-8")), filename="problems.txt")
        await interaction.followup.send(
            f"{header} The first ones:\n{fit_lines(lines, 1500)}\nThe whole list is attached.",
            file=report,
            ephemeral=True,
        )
