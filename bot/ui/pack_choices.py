"""Autocomplete for every command that takes a pack: the packs this server can play, matched as you type."""

from __future__ import annotations

from discord import app_commands

from bot.packs import PackLibrary
from bot.ui.format import clip

MAX_CHOICES = 25  # Discord shows at most 25 suggestions


def pack_choices(library: PackLibrary, guild_id: int | None, typed: str) -> list[app_commands.Choice[str]]:
    needle = typed.lower()
    return [
        app_commands.Choice(name=clip(f"{pack.title} ({pack.id})", 100), value=pack.id)
        for pack in library.available(guild_id)
        if needle in pack.id or needle in pack.title.lower()
    ][:MAX_CHOICES]


def topic_choices(library: PackLibrary, guild_id: int | None, typed: str) -> list[app_commands.Choice[str]]:
    """The topics (pack tags) this server's packs cover, with how many questions each, matched as you type."""
    counts: dict[str, int] = {}
    for pack in library.available(guild_id):
        for question in pack.questions:
            for tag in question.tags:
                counts[tag] = counts.get(tag, 0) + 1
    needle = typed.lower()
    return [
        app_commands.Choice(name=clip(f"{tag} ({count} questions)", 100), value=tag)
        for tag, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        if needle in tag
    ][:MAX_CHOICES]
