"""`python -m bot packs check`: validate packs, then verify their answer keys in the sandbox.

Problems are reported by file, question and field; the exit status is 1 when there is any.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bot.packs.loader import PackError, load_pack_file, pack_files
from bot.packs.models import Pack
from bot.packs.stats import answer_cues, count_table
from bot.packs.verify import MISSING_VERIFY, unverified_questions, verify_pack
from bot.sandbox import SandboxPool
from bot.sandbox.grader import Grader
from bot.settings import Settings


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def check_packs(paths: Sequence[Path], settings: Settings, *, verify: bool = True) -> int:
    files = pack_files(paths or [settings.packs_dir])
    if not files:
        print("no pack files found")
        return 1
    failures = 0
    loaded: list[tuple[Path, Pack]] = []
    seen: dict[str, Path] = {}
    for path in files:
        try:
            pack = load_pack_file(path)
        except PackError as exc:
            failures += 1
            for problem in exc.problems:
                print(f"FAIL {problem}")
            continue
        if pack.id in seen:
            failures += 1
            print(f"FAIL {path}, field 'id': pack id {pack.id!r} is already used by {seen[pack.id]}")
            continue
        seen[pack.id] = path
        loaded.append((path, pack))
    unverified = [(path, pack, missing) for path, pack in loaded if (missing := unverified_questions(pack))]
    for path, _pack, missing in unverified:
        for question in missing:
            print(f"FAIL {path}, question {question!r}, field 'verify': {MISSING_VERIFY}")
    failures += len(unverified)
    loaded = [(path, pack) for path, pack in loaded if not unverified_questions(pack)]
    if verify and loaded:
        failures += await _verify(loaded, settings)
    else:
        for path, pack in loaded:
            print(f"ok   {path}: {pack.id} ({len(pack.questions)} questions; keys not run)")
    if loaded:
        print(count_table([pack for _, pack in loaded]))
        for line in answer_cues([pack for _, pack in loaded]).lines():
            print(line)
    print(f"{len(files) - failures} of {len(files)} pack file(s) passed")
    return 1 if failures else 0


async def _verify(loaded: list[tuple[Path, Pack]], settings: Settings) -> int:
    failures = 0
    limits = replace(settings.sandbox_limits(), cooldown_seconds=0.0, queue_size=max(settings.sandbox_queue_size, 1))
    async with SandboxPool(limits) as pool:
        if not pool.available:
            print(f"FAIL the sandbox cannot verify answer keys: {pool.unavailable_reason}")
            return len(loaded)
        grader = Grader(pool)
        for path, pack in loaded:
            checked, problems = await verify_pack(grader, pack, str(path), _progress)
            for problem in problems:
                print(f"FAIL {problem}")
            if problems:
                failures += 1
            else:
                print(f"ok   {path}: {pack.id} ({len(pack.questions)} questions, {checked} keys verified)")
    return failures
