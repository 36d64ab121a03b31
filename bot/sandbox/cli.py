"""`python -m bot sandbox run FILE... [--json] [--timeout S] [--memory MB]`: run files as `/run` would;
`python -m bot sandbox serve [--redis URL] [--workers N]`: be a worker host for the queue (docs/queue.md).

`bot/cli.py` wires these in: `add_arguments` fills the `sandbox run` sub-parser and `run_files` is awaited with the
parsed arguments (all files go through one warm pool, in order); `add_serve_arguments` and `serve_host` do the same
for `sandbox serve`. Neither needs the Discord token or the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.logging_setup import configure_logging
from bot.sandbox.limits import SandboxLimits
from bot.sandbox.result import Result
from bot.sandbox.transport import open_sandbox

if TYPE_CHECKING:
    from bot.settings import Settings

MAX_WORKERS = 64


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="Python files to run, in order")
    parser.add_argument("--json", action="store_true", help="print one JSON object per file (with a 'file' key)")
    parser.add_argument("--timeout", type=float, metavar="S", help="wall-time limit per file, in seconds")
    parser.add_argument("--memory", type=int, metavar="MB", help="memory budget per file, in MiB")


async def run_files(args: argparse.Namespace, limits: SandboxLimits | None = None, queue: str = "") -> int:
    """Run every file and print its result; 0 if all ran OK, 1 otherwise (a refusal or unreadable file too).

    Through local workers, or through the worker hosts behind `queue` (TORCHQUIZ_SANDBOX_QUEUE) when it is set."""
    # One worker is enough for files run one after another, and no cooldown between our own runs.
    limits = replace(limits or SandboxLimits(), workers=1, cooldown_seconds=0.0)
    all_ok = True
    async with open_sandbox(limits, queue) as pool:
        for path in args.files:
            try:
                code = await asyncio.to_thread(path.read_text, encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                _print_unreadable(path, exc, as_json=args.json)
                all_ok = False
                continue
            result = await pool.run(code, wall_seconds=args.timeout, memory_mb=args.memory)
            all_ok &= result.ok
            sys.stdout.write(result.to_json(file=str(path)) + "\n" if args.json else format_result(path, result))
            sys.stdout.flush()
    return 0 if all_ok else 1


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    queue_help = "the queue, redis://host:port/db (default: TORCHQUIZ_SANDBOX_QUEUE)"
    parser.add_argument("--redis", metavar="URL", help=queue_help)
    parser.add_argument("--workers", type=int, metavar="N", help="runs at once (default: TORCHQUIZ_SANDBOX_WORKERS)")
    parser.add_argument(
        "--claim-after",
        type=float,
        metavar="S",
        help="take over a job another host has held this long without answering (default: wall limit + 5 s)",
    )


def serve_host(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the queue until SIGTERM/SIGINT; 2 for a usage problem, 1 if this host cannot run code or reach Redis."""
    url = args.redis or settings.sandbox_queue
    if not url:
        print("torchquiz: sandbox serve needs --redis URL (or TORCHQUIZ_SANDBOX_QUEUE)", file=sys.stderr)
        return 2
    if args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
        print(f"torchquiz: --workers must be between 1 and {MAX_WORKERS}", file=sys.stderr)
        return 2
    if args.claim_after is not None and not args.claim_after > 0:
        print("torchquiz: --claim-after must be positive", file=sys.stderr)
        return 2
    limits = settings.sandbox_limits()
    if args.workers is not None:
        limits = replace(limits, workers=args.workers)
    configure_logging(settings.log_level)
    from bot.sandbox.queue.host import serve

    return asyncio.run(serve(url, limits, claim_after=args.claim_after))


def format_result(path: Path, result: Result) -> str:
    """A human-readable block: a header line with the summary, then the output."""
    lines = [f"== {path}: {result.summary()}"]
    for text in (result.stdout, result.stderr):
        if text:
            lines.append(text.rstrip("\n"))
    if result.truncated:
        lines.append("[output truncated]")
    return "\n".join(lines) + "\n"


def _print_unreadable(path: Path, exc: Exception, *, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps({"file": str(path), "outcome": "unreadable", "reason": str(exc)}) + "\n")
    else:
        sys.stdout.write(f"== {path}: cannot read: {exc}\n")
