"""A loopback fake of Discord for driving the real discord.py client in tests.

``FakeDiscord`` serves the gateway and REST API on 127.0.0.1, enforces Discord's limits,
and lets tests inject slash commands, clicks and modal submits and then inspect what the bot sent.
``run_bot_process`` runs the real bot against it in a subprocess.
"""

from __future__ import annotations

from .clock import ManualClock
from .handles import FakeInteraction
from .models import FakeAttachment, FakeCallback, FakeMessage, FakeUser, MessageRevision, SyncedCommand, Upload
from .patch import patch_discord, patched_discord
from .process import BotProcess, run_bot_process
from .server import FakeDiscord

__all__ = [
    "BotProcess",
    "FakeAttachment",
    "FakeCallback",
    "FakeDiscord",
    "FakeInteraction",
    "FakeMessage",
    "FakeUser",
    "ManualClock",
    "MessageRevision",
    "SyncedCommand",
    "Upload",
    "patch_discord",
    "patched_discord",
    "run_bot_process",
]
