"""`python -m bot packs check`: validate packs and report every problem by file, question and field."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from bot.packs.loader import PackError, load_pack_file, pack_files
from bot.settings import ENV_PREFIX


def default_packs_dir() -> Path:
    """The packs folder from the environment, without requiring the token (checking packs needs none)."""
    return Path(os.environ.get(f"{ENV_PREFIX}PACKS_DIR", "challenges"))


def check_packs(paths: Sequence[Path]) -> int:
    files = pack_files(paths or [default_packs_dir()])
    if not files:
        print("no pack files found")
        return 1
    failures = 0
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
        print(f"ok   {path}: {pack.id} ({len(pack.questions)} questions)")
    print(f"{len(files) - failures} of {len(files)} pack file(s) passed")
    return 1 if failures else 0
