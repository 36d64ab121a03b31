"""Run the real bot against a fake Discord: ``python -m tests.fakediscord.launch --http-base URL
--gateway URL [-- bot args...]``.

The bot process cannot be patched from outside, so this entry point applies the two patches
in-process and then hands over to ``bot.cli.main`` unchanged. ``bot.cli`` is imported only after patching
(and only when needed), so the launcher works while the bot package is still being written.
"""

from __future__ import annotations

import argparse
import sys

from .patch import patch_discord


def _split(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1 :]
    return argv, []


def main(argv: list[str] | None = None) -> int:
    ours, bot_args = _split(list(sys.argv[1:] if argv is None else argv))
    parser = argparse.ArgumentParser(prog="python -m tests.fakediscord.launch", description=__doc__)
    parser.add_argument("--http-base", required=True, help="the fake's http_base, e.g. http://127.0.0.1:PORT")
    parser.add_argument("--gateway", required=True, help="the fake's gateway_url, e.g. ws://127.0.0.1:PORT/")
    options = parser.parse_args(ours)
    patch_discord(options.http_base, options.gateway)

    from bot.cli import main as bot_main  # lazy: written concurrently, and must see the patched discord

    result = bot_main(bot_args)
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
