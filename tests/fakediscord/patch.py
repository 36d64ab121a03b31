"""Pointing an unmodified discord.py at the fake: the two patches it needs (the REST base URL and the gateway URL).

``Route.BASE`` is read each time a ``Route`` is built (REST and interaction webhooks alike), and
``DiscordWebSocket.DEFAULT_GATEWAY`` is used for the first connection; it must be a ``yarl.URL`` in
discord.py 2.7 because ``from_client`` calls ``gateway.with_query(...)`` on it. Reconnects then use READY's
``resume_gateway_url``, which the fake points at itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


def api_base(http_base: str) -> str:
    """``http://127.0.0.1:PORT`` → ``http://127.0.0.1:PORT/api/v10`` (idempotent)."""
    base = http_base.rstrip("/")
    return base if "/api/v" in base else f"{base}/api/v10"


def patch_discord(http_base: str, gateway_url: str) -> Callable[[], None]:
    """Apply both patches; return a function that restores the previous values."""
    import discord.gateway
    import discord.http
    import yarl

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_base(http_base)
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)

    def restore() -> None:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return restore


@contextmanager
def patched_discord(http_base: str, gateway_url: str) -> Iterator[None]:
    """``with patched_discord(fake.http_base, fake.gateway_url): ...`` for in-process bots."""
    restore = patch_discord(http_base, gateway_url)
    try:
        yield
    finally:
        restore()
