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
