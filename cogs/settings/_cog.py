"""`/settings`: per-server options, for members with the Manage Server permission.

Options: where live quizzes may run, which role counts as moderator, the default time and number of questions
for `/quiz start`, whether `/run` is allowed, the daily question (channel, local time, role to mention) and the
server's time zone. Each subcommand answers with the server's options as they now stand, so a moderator sees the
effect at once.
"""

from __future__ import annotations

import datetime as dt

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import TorchQuizBot
from bot.engine import QuizError
from bot.storage import GuildSettings
from bot.storage.guilds import known_timezones
from bot.ui.format import clip, countdown
from cogs.daily._cog import DailyCog
from cogs.daily._schedule import format_time, next_post_at, parse_time

MAX_CHOICES = 25  # Discord shows at most 25 suggestions


def describe(options: GuildSettings, bot: TorchQuizBot) -> str:
    defaults = bot.settings
    channel = f"<#{options.quiz_channel_id}>" if options.quiz_channel_id else "any channel"
    role = f"<@&{options.moderator_role_id}>" if options.moderator_role_id else "none (Manage Server only)"
    time = options.default_time_limit or defaults.quiz_time_limit
    count = options.default_count or defaults.quiz_count
    return (
        f"**Quiz channel:** {channel}\n"
        f"**Moderator role:** {role}\n"
        f"**Quiz defaults:** {count} questions, {time} s each\n"
        f"**/run:** {'allowed' if options.run_enabled else 'switched off'}\n"
        f"**Daily question:** {describe_daily(options)}\n"
        f"**Time zone:** {options.timezone or 'UTC (the default)'}"
    )


def describe_daily(options: GuildSettings) -> str:
    if not options.daily_enabled or options.daily_time is None:
        return "off"
    mention = f", mentioning <@&{options.daily_role_id}>" if options.daily_role_id else ""
    return f"in <#{options.daily_channel_id}> at {format_time(options.daily_time)}{mention}"


def local_clock(options: GuildSettings, now: float) -> str:
    """The server's local time of day, as HH:MM."""
    return dt.datetime.fromtimestamp(now, tz=options.zone).strftime("%H:%M")


def timezone_choices(typed: str) -> list[app_commands.Choice[str]]:
    """IANA names containing what was typed (case-insensitive), shortest first."""
    needle = typed.strip().lower().replace(" ", "_")
    names = sorted((name for name in known_timezones() if needle in name.lower()), key=lambda name: (len(name), name))
    return [app_commands.Choice(name=name, value=name) for name in names[:MAX_CHOICES]]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SettingsCog(commands.GroupCog, name="Settings", group_name="settings", group_description="Server options"):
    def __init__(self, bot: TorchQuizBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # default_permissions only hides the commands; a server can override that, so check again here.
        permissions = interaction.permissions
        if not (permissions.manage_guild or permissions.administrator):
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    async def _update(self, interaction: discord.Interaction, done: str, **changes: object) -> None:
        assert interaction.guild_id is not None
        options = await self.bot.store.update_guild_settings(interaction.guild_id, **changes)
        await self._answer(interaction, done, options)

    async def _answer(self, interaction: discord.Interaction, done: str, options: GuildSettings) -> None:
        await interaction.response.send_message(f"{done}\n\n{describe(options, self.bot)}", ephemeral=True)

    def _wake_daily(self) -> None:
        """The daily poster looks at the clock now, so a question already due goes out at once."""
        cog = self.bot.get_cog("Daily")
        if isinstance(cog, DailyCog):
            cog.wake()

    @app_commands.command(name="run", description="Allow or forbid /run in this server.")
    @app_commands.describe(allowed="Whether members may run code with /run")
    async def run(self, interaction: discord.Interaction, allowed: bool) -> None:
        state = "allowed" if allowed else "switched off"
        await self._update(interaction, f"`/run` is now {state} in this server.", run_enabled=int(allowed))

    @app_commands.command(name="quiz-channel", description="Limit live quizzes to one channel (empty: any).")
    @app_commands.describe(channel="The only channel where /quiz start works; leave empty to allow any")
    async def quiz_channel(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        done = f"Live quizzes now run only in {channel.mention}." if channel else "Live quizzes may run in any channel."
        await self._update(interaction, done, quiz_channel_id=channel.id if channel else None)

    @app_commands.command(name="moderator-role", description="A role whose members may run quizzes (empty: none).")
    @app_commands.describe(role="Members with this role may start, skip and stop quizzes")
    async def moderator_role(self, interaction: discord.Interaction, role: discord.Role | None = None) -> None:
        done = f"{role.mention} can now run quizzes." if role else "Only Manage Server can run quizzes now."
        await self._update(interaction, done, moderator_role_id=role.id if role else None)

    @app_commands.command(name="quiz-defaults", description="Default time per question and number of questions.")
    @app_commands.describe(time="Seconds per question", count="Questions per quiz")
    async def quiz_defaults(
        self,
        interaction: discord.Interaction,
        time: app_commands.Range[int, 5, 600] | None = None,
        count: app_commands.Range[int, 1, 50] | None = None,
    ) -> None:
        changes: dict[str, object] = {}
        if time is not None:
            changes["default_time_limit"] = time
        if count is not None:
            changes["default_count"] = count
        await self._update(interaction, "Quiz defaults updated." if changes else "Nothing changed.", **changes)

    @app_commands.command(name="daily", description="Post a daily question in a channel at a local time every day.")
    @app_commands.describe(
        channel="Where the daily question is posted",
        time="When, as HH:MM on a 24-hour clock, in the server's time zone (/settings timezone)",
        role="A role to mention in each post (optional)",
    )
    async def daily(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: str,
        role: discord.Role | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        minutes = parse_time(time)
        options = await self.bot.store.set_daily(interaction.guild_id, channel.id, minutes, role.id if role else None)
        now = self.bot.clock()
        posted = await self.bot.store.daily_post(interaction.guild_id, options.local_day(now)) is not None
        upcoming = next_post_at(options, now, posted_today=posted)
        when = "now" if upcoming is None or upcoming <= now else countdown(upcoming)
        zone = options.timezone or "UTC"
        done = (
            f"📅 A daily question will be posted in {channel.mention} at {format_time(minutes)} ({zone}) every day. "
            f"The next one: {when}."
        )
        self._wake_daily()
        await self._answer(interaction, done, options)

    @app_commands.command(name="daily-off", description="Stop posting a daily question (streaks are kept).")
    async def daily_off(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        options = await self.bot.store.disable_daily(interaction.guild_id)
        done = "No more daily questions on this server. Members keep their daily streaks."
        await self._answer(interaction, done, options)

    @app_commands.command(
        name="timezone", description="The server's time zone, for the daily question's time and days."
    )
    @app_commands.describe(zone="An IANA time zone name, e.g. Europe/Paris, America/New_York or UTC")
    async def timezone(self, interaction: discord.Interaction, zone: str) -> None:
        assert interaction.guild_id is not None
        name = zone.strip()
        try:
            options = await self.bot.store.set_timezone(interaction.guild_id, name)
        except ValueError:
            raise QuizError(
                f"`{clip(name, 60)}` is not a time zone I know. Use an IANA name such as `Europe/Paris`, "
                "`America/New_York` or `UTC` (the suggestions list them as you type)."
            ) from None
        done = f"🕒 This server's time zone is now **{name}** (it is {local_clock(options, self.bot.clock())} there)."
        self._wake_daily()
        await self._answer(interaction, done, options)

    @timezone.autocomplete("zone")
    async def _zones(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return timezone_choices(current)

    @app_commands.command(name="show", description="Show this server's TorchQuiz options.")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        options = await self.bot.store.guild_settings(interaction.guild_id)
        await interaction.response.send_message(describe(options, self.bot), ephemeral=True)
