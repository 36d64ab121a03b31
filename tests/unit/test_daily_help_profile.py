"""What /help and /profile say about the daily question, points, reviews and topics, built from the rules' code."""

from __future__ import annotations

import discord

from bot.domain.plays import EARNS_POINTS, PlayMode
from bot.engine.mastery import TopicMastery
from bot.engine.review import RATING_RULES_TEXT
from bot.engine.scoring import RULES_TEXT
from bot.storage import DailyStreak, GuildSettings
from cogs.help._cog import MODE_NAMES, help_embed, points_text
from cogs.profile._cog import add_mastery, daily_streak_text
from cogs.settings._cog import describe_daily, timezone_choices


def fields(embed: discord.Embed) -> dict[str, str]:
    return {str(f.name): str(f.value) for f in embed.fields}


def test_help_carries_the_rules_from_their_code_and_fits() -> None:
    embed = help_embed([])
    shown = fields(embed)
    assert shown["Scoring"] == RULES_TEXT
    assert RATING_RULES_TEXT in shown["Review ratings"]
    assert "**Daily streak:**" in shown["Daily question"]
    assert len(embed) <= 6000 and all(len(value) <= 1024 for value in shown.values())


def test_which_modes_earn_points_follows_earns_points() -> None:
    text = points_text()
    earning, teaching = text.split(" earn points. ")
    assert all(MODE_NAMES[mode] in earning for mode in EARNS_POINTS)
    assert all(MODE_NAMES[mode] in teaching for mode in PlayMode if mode not in EARNS_POINTS)
    assert set(MODE_NAMES) == set(PlayMode)


def mastery(tag: str, score: float, questions: int = 1) -> TopicMastery:
    return TopicMastery(tag, score, "memory", questions)


def test_topics_strongest_weakest_and_what_to_practise() -> None:
    embed = discord.Embed()
    add_mastery(embed, [mastery("autograd", 0.9, 4), mastery("detach", 0.3), mastery("tensors", 0.7)])
    shown = fields(embed)
    assert shown["Strongest topics"].startswith("`autograd` 90% (recall, 4 q.)")
    assert shown["Practise next"] == "`/practice topic:detach`"

    many = [mastery(f"t{i}", i / 10) for i in range(8)]
    embed = discord.Embed()
    add_mastery(embed, many)
    shown = fields(embed)
    assert shown["Strongest topics"].splitlines()[0].startswith("`t7`")
    assert shown["Weakest topics"].splitlines()[0].startswith("`t0`")
    assert shown["Practise next"] == "`/practice topic:t0`"


def test_topics_that_tie_are_not_called_strong_or_weak() -> None:
    embed = discord.Embed()
    add_mastery(embed, [mastery("autograd", 1.0, 4), mastery("models", 1.0)])
    assert set(fields(embed)) == {"Topics", "Practise next"}
    embed = discord.Embed()
    add_mastery(embed, [])
    assert not embed.fields


def test_daily_streak_and_settings_texts() -> None:
    assert daily_streak_text(DailyStreak(1, 2, 0, 0, None)).startswith("none yet")
    assert daily_streak_text(DailyStreak(1, 2, 3, 7, "2025-07-01")) == "🔥 3 now · best 7"
    assert daily_streak_text(DailyStreak(1, 2, 0, 7, "2025-06-01")) == "0 now · best 7"
    assert describe_daily(GuildSettings(1)) == "off"
    on = GuildSettings(1, daily_channel_id=5, daily_time=9 * 60 + 5, daily_role_id=6)
    assert describe_daily(on) == "in <#5> at 09:05, mentioning <@&6>"
    assert [choice.value for choice in timezone_choices("paris")] == ["Europe/Paris"]
    assert len(timezone_choices("")) == 25
