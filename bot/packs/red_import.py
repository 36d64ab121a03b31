"""`python -m bot packs import-red FILE [--output PATH] [--id ID] [--title T]`: a Red trivia list as a pack.

The conversion itself lives in `bot.packs.red_convert`; this module is the command around it. The result is
validated with `parse_pack` before it is written; what could not be converted is reported on stderr, one line
per question with the reason. A list past 200 questions needs `--output` and is written as numbered files.
Exit status: 0 when at least one question converted, 1 when none did or the file is not a YAML mapping, 2 for
a usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from bot.packs.loader import PackError, parse_pack
from bot.packs.red_convert import MAX_QUESTIONS, SLUG_PATTERN, NotATriviaList, convert_file
from bot.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="a Red-DiscordBot trivia list (YAML)")
    parser.add_argument("--output", "-o", type=Path, metavar="PATH", help="write the pack here (default: stdout)")
    parser.add_argument("--id", metavar="ID", help="the pack id (default: from the file name)")
    parser.add_argument("--title", metavar="T", help="the pack title (default: from the file name)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Convert, report on stderr, validate, write; `settings` is unused (the command needs none) but keeps the
    signature every `packs` action shares."""
    del settings
    pack_id: str | None = args.id
    if pack_id is not None and not SLUG_PATTERN.match(pack_id):
        print(
            f"torchquiz: --id {pack_id!r} is not a pack id: lowercase letters, digits, - and _, at most 40",
            file=sys.stderr,
        )
        return EXIT_USAGE
    path: Path = args.file
    try:
        conversion = convert_file(path, pack_id=pack_id, title=args.title)
    except NotATriviaList as exc:
        print(f"torchquiz: {path}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for note in conversion.notes:
        print(f"note: {note}", file=sys.stderr)
    for item in conversion.skipped:
        print(f"skipped {item}", file=sys.stderr)
    total = conversion.converted + len(conversion.skipped)
    if not conversion.converted:
        why = f"none of the {total} question(s) could be converted" if total else "has no questions"
        print(f"torchquiz: {path}: {why}", file=sys.stderr)
        return EXIT_FAILED
    parts = conversion.parts()
    if len(parts) > 1 and args.output is None:
        print(
            f"torchquiz: {conversion.converted} questions make {len(parts)} packs of at most {MAX_QUESTIONS}:"
            " give --output PATH to write them as numbered files",
            file=sys.stderr,
        )
        return EXIT_USAGE
    targets = [args.output] if len(parts) == 1 else [_numbered(args.output, n) for n in range(1, len(parts) + 1)]
    for part, target in zip(parts, targets, strict=True):
        status = _write(part, target)
        if status != EXIT_OK:
            return status
        if len(parts) > 1:
            print(f"wrote pack {part['id']!r} ({len(part['questions'])} questions) to {target}", file=sys.stderr)
    if len(parts) == 1:
        where = f" to {args.output}" if args.output is not None else ""
        into = f"pack {parts[0]['id']!r}{where}"
    else:
        into = f"{len(parts)} packs of at most {MAX_QUESTIONS}"
    print(f"converted {conversion.converted} of {total} question(s) into {into}", file=sys.stderr)
    return EXIT_OK


def _numbered(path: Path, number: int) -> Path:
    """``general.yaml`` → ``general-1.yaml``: one file per numbered pack."""
    return path.with_name(f"{path.stem}-{number}{path.suffix or '.yaml'}")


def _write(part: dict[str, Any], target: Path | None) -> int:
    try:
        parse_pack(part, str(target or "<stdout>"))
    except PackError as exc:  # a bug here, not in the list: say so rather than write a pack that cannot load
        print(f"torchquiz: the converted pack does not validate:\n{exc}", file=sys.stderr)
        return EXIT_FAILED
    text = yaml.safe_dump(part, allow_unicode=True, sort_keys=False, width=100)
    if target is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"torchquiz: cannot write {target}: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
