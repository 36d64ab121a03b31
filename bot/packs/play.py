"""`python -m bot packs play PACK [--time-scale F] [--no-timer]`: play a pack in the terminal.

Why: a pack author wants to feel a pack (its wording, deadlines, hints and points) before members do, without
a Discord server. The session (`play_session.py`) drives the same `ChallengeRun` as `/challenge`, so the points,
streaks and badge printed here are exactly the ones a member would get.

The lead wires `add_arguments` into the `packs play` sub-parser and calls `run(args, settings)`. Exit status:
0 when the run ended (misses, a `q` and the end of input included), 1 for an unknown pack or a bad pack file
(every problem printed), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import math
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bot.packs.loader import PACK_SUFFIXES, PackError, load_pack_file, pack_files
from bot.packs.models import Pack, Question
from bot.packs.play_console import Console, terminal_width
from bot.packs.play_session import PlaySession
from bot.sandbox import Outcome, SandboxLimits, SandboxPool
from bot.sandbox.grader import Grade, Grader
from bot.sandbox.result import refusal
from bot.settings import Settings

EXIT_OK = 0
EXIT_PACK = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UnknownPack(Exception):
    """PACK is neither a pack file nor the id of a pack in the packs folder."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pack", metavar="PACK", help="a pack id from the packs folder, or the path of a YAML file")
    timing = parser.add_mutually_exclusive_group()
    timing.add_argument(
        "--time-scale",
        type=_positive_float,
        default=1.0,
        metavar="F",
        help="multiply every deadline by F (0.5 = half the time; default 1)",
    )
    timing.add_argument("--no-timer", action="store_true", help="no deadlines: take as long as you like")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Find the pack, play it against stdin/stdout, print the summary; the exit status as documented above."""
    scale: float | None = None if getattr(args, "no_timer", False) else getattr(args, "time_scale", 1.0)
    if scale is not None and not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        print(f"torchquiz: --time-scale must be a positive number, not {scale!r}", file=sys.stderr)
        return EXIT_USAGE
    try:
        pack = find_pack(str(args.pack), settings.packs_dir)
    except UnknownPack as exc:
        print(f"torchquiz: {exc}", file=sys.stderr)
        return EXIT_PACK
    except PackError as exc:
        print(f"torchquiz: cannot play {args.pack}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_PACK
    # One worker is plenty for one player, and no cooldown between their own submissions.
    limits = replace(settings.sandbox_limits(), workers=1, cooldown_seconds=0.0, queue_size=1)
    grader = SandboxGrader(limits, enabled=settings.sandbox_enabled, notify=_print)
    try:
        PlaySession(pack, terminal_console(), grader=grader, time_scale=scale).play()
    except KeyboardInterrupt:  # only while the sandbox runs: a Ctrl-C at the prompt ends the input instead
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        grader.close()
    return EXIT_OK


def find_pack(spec: str, packs_dir: Path) -> Pack:
    """The pack `spec` names: a YAML file when it looks like a path, else the pack with that id in `packs_dir`.

    Raises `PackError` for a file that does not load (including a packs-folder file named after the id), and
    `UnknownPack`, listing the ids that exist, when nothing matches.
    """
    path = Path(spec)
    if path.suffix in PACK_SUFFIXES or os.sep in spec or path.is_file():
        in_folder = packs_dir / spec
        if not path.exists() and not path.is_absolute() and in_folder.is_file():
            return load_pack_file(in_folder)  # "autograd-basics.yaml" from anywhere: the packs folder's file
        return load_pack_file(path)
    known: list[str] = []
    broken_namesake: PackError | None = None
    for file in pack_files([packs_dir]) if packs_dir.is_dir() else []:
        try:
            pack = load_pack_file(file)
        except PackError as exc:
            if file.stem == spec:
                broken_namesake = exc
            continue
        if pack.id == spec:
            return pack
        known.append(pack.id)
    if broken_namesake is not None:
        raise broken_namesake
    listed = f" (packs there: {', '.join(sorted(known))})" if known else ""
    raise UnknownPack(f"unknown pack {spec!r}: it is not a file, and no pack in {packs_dir} has that id{listed}")


class SandboxGrader:
    """Grades code submissions in a real `SandboxPool`, started once, on the first code problem only.

    Why lazily: a warm worker costs about two seconds and 300 MiB, which a pack without code problems should
    never pay. The pool lives on one `asyncio.Runner` loop for the whole session, so the terminal loop stays
    synchronous and the workers stay warm between submissions.
    """

    def __init__(
        self, limits: SandboxLimits, *, enabled: bool = True, notify: Callable[[str], None] | None = None
    ) -> None:
        self.limits = limits
        self.enabled = enabled
        self._notify = notify
        self._runner: asyncio.Runner | None = None
        self._pool: SandboxPool | None = None
        self._grader: Grader | None = None
        self._reason: str | None = None
        self._started = False

    def start(self) -> str | None:
        if not self._started:
            self._started = True
            if not self.enabled:
                self._reason = "it is switched off by TORCHQUIZ_SANDBOX_ENABLED=false"
            else:
                if self._notify is not None:
                    self._notify("Starting the sandbox for code problems…")
                self._runner = asyncio.Runner()
                self._pool = SandboxPool(self.limits)
                self._runner.run(self._pool.start())
                self._grader = Grader(self._pool)
                self._reason = self._pool.unavailable_reason
        return self._reason

    def grade(self, code: str, question: Question) -> Grade:
        reason = self.start()
        if reason is not None or self._runner is None or self._grader is None:
            return Grade(refusal(Outcome.UNAVAILABLE, reason or "the sandbox was not started"))
        grading = self._grader.grade(code, check=question.check or "", solution=question.solution or "")
        return self._runner.run(grading)

    def close(self) -> None:
        """Stop the workers; safe to call when the sandbox never started."""
        runner, pool, grader = self._runner, self._pool, self._grader
        self._runner = self._pool = self._grader = None
        if runner is None:
            return
        try:
            if grader is not None:
                runner.run(grader.aclose())
            if pool is not None:
                runner.run(pool.aclose())
        finally:
            runner.close()


def _print(line: str) -> None:
    print(line, flush=True)


def terminal_console() -> Console:
    """stdin/stdout as a `Console`: prompts and colours only for a terminal, and output that never fails to
    encode (a pack's emoji on a console that cannot show it becomes '?', not a traceback)."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="replace")
    interactive = sys.stdin.isatty()
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"

    def read_line(prompt: str) -> str | None:
        try:
            if interactive:
                return input(prompt)
            line = sys.stdin.readline()
        except EOFError:
            return None
        except KeyboardInterrupt:
            print()
            return None
        if not line:
            return None
        line = line.removesuffix("\n").removesuffix("\r")
        _print(f"{prompt}{line}")  # piped input is not echoed by a terminal: keep the transcript readable
        return line

    return Console(read_line=read_line, write=_print, color=color, width=terminal_width())
