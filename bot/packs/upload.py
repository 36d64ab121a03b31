"""Packs that moderators upload for their own server: checked exactly like shipped packs before they are kept.

An upload is parsed with `yaml.safe_load`, validated by the pack models, refused if its id belongs to a shipped
pack, and its answer keys are run in the sandbox. Every problem is reported by question and field.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.packs.loader import PackError, PackLibrary, PackProblem, parse_pack, read_yaml
from bot.packs.models import Pack
from bot.packs.verify import MISSING_VERIFY, unverified_questions, verify_pack
from bot.sandbox import Sandbox
from bot.sandbox.grader import Grader

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 256 * 1024
SUFFIXES = (".yaml", ".yml")


@dataclass
class UploadCheck:
    pack: Pack | None = None
    problems: list[PackProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.pack is not None and not self.problems


def _parse(text: str, name: str) -> Pack:
    return parse_pack(read_yaml(text, name), name)


async def check_upload(data: bytes, filename: str, library: PackLibrary, sandbox: Sandbox | None) -> UploadCheck:
    """Validate and verify an uploaded pack; the result carries the pack only when nothing is wrong."""
    if not filename.lower().endswith(SUFFIXES):
        return UploadCheck(problems=[PackProblem(filename, "must be a .yaml or .yml file")])
    if len(data) > MAX_UPLOAD_BYTES:
        return UploadCheck(problems=[PackProblem(filename, f"is larger than {MAX_UPLOAD_BYTES // 1024} KiB")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return UploadCheck(problems=[PackProblem(filename, "is not UTF-8 text")])
    try:
        pack = await asyncio.to_thread(_parse, text, filename)
    except PackError as exc:
        return UploadCheck(problems=list(exc.problems))
    if pack.id in library.packs:
        problem = PackProblem(filename, f"{pack.id!r} is the id of a shipped pack; choose another", field="id")
        return UploadCheck(problems=[problem])
    missing = [PackProblem(filename, MISSING_VERIFY, question=q, field="verify") for q in unverified_questions(pack)]
    if missing:
        return UploadCheck(problems=missing)
    if sandbox is None or not sandbox.available:
        reason = "the sandbox is switched off" if sandbox is None else sandbox.unavailable_reason
        return UploadCheck(problems=[PackProblem(filename, f"its answer keys cannot be verified now: {reason}")])
    grader = Grader(sandbox)
    try:
        _, problems = await verify_pack(grader, pack, filename)
    finally:
        await grader.aclose()
    return UploadCheck(pack=pack, problems=problems)


def load_uploaded(library: PackLibrary, sources: Iterable[tuple[int, str, str]]) -> int:
    """Put stored uploads back into the library at start; one that no longer validates is skipped and logged."""
    loaded = 0
    for guild_id, pack_id, text in sources:
        try:
            pack = _parse(text, f"upload {pack_id} (server {guild_id})")
        except PackError as exc:
            log.warning("skipping an uploaded pack: %s", exc)
            continue
        library.add_uploaded(guild_id, pack)
        loaded += 1
    return loaded
