"""Loading packs from YAML with errors a pack author can act on.

Each problem names the file, the question (by id when it has one) and the field. One bad file never stops the
others from loading: the library keeps the good packs and lists the problems beside them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.packs.models import Pack

log = logging.getLogger(__name__)

PACK_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class PackProblem:
    """One thing wrong with one pack file."""

    file: str
    message: str
    question: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.question is not None:
            where.append(f"question {self.question!r}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}"


class PackError(Exception):
    """A pack file could not be loaded; `problems` lists every reason found."""

    def __init__(self, problems: Sequence[PackProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)


@dataclass
class PackLibrary:
    """The shipped packs by id, the packs servers uploaded (each visible in its server only), and the problems
    of the files that did not load."""

    packs: dict[str, Pack] = field(default_factory=dict)
    problems: list[PackProblem] = field(default_factory=list)
    uploaded: dict[int, dict[str, Pack]] = field(default_factory=dict)

    def get(self, pack_id: str, guild_id: int | None = None) -> Pack | None:
        if guild_id is not None and pack_id in self.uploaded.get(guild_id, {}):
            return self.uploaded[guild_id][pack_id]
        return self.packs.get(pack_id)

    def available(self, guild_id: int | None) -> list[Pack]:
        """What members of this server can play: the shipped packs, then the server's own."""
        own = self.uploaded.get(guild_id, {}) if guild_id is not None else {}
        return [*self.packs.values(), *own.values()]

    def is_uploaded(self, pack_id: str, guild_id: int | None) -> bool:
        return guild_id is not None and pack_id in self.uploaded.get(guild_id, {})

    def add_uploaded(self, guild_id: int, pack: Pack) -> None:
        self.uploaded.setdefault(guild_id, {})[pack.id] = pack

    def __len__(self) -> int:
        return len(self.packs)


TOO_DEEP = "nests lists or mappings too deeply to be read (a pack needs only a few levels)"


def load_pack_file(path: Path) -> Pack:
    """Parse and validate one file; raises `PackError` naming file, question and field."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackError([PackProblem(name, f"cannot be read: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise PackError([PackProblem(name, "is not UTF-8 text")]) from None
    return parse_pack(read_yaml(text, name), name)


def read_yaml(text: str, name: str) -> Any:
    """`yaml.safe_load`, with every way it can fail (a syntax error, or nesting deep enough to exhaust the
    parser's recursion) turned into a `PackError` that says why, so no pack ever reaches a traceback."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PackError([PackProblem(name, f"is not valid YAML{where}: {problem}")]) from None
    except RecursionError:
        raise PackError([PackProblem(name, TOO_DEEP)]) from None


def parse_pack(raw: Any, name: str) -> Pack:
    """Validate already-parsed YAML (also used for uploaded attachments)."""
    if not isinstance(raw, dict):
        raise PackError([PackProblem(name, "must be a mapping with id, title, description, author, questions")])
    try:
        pack = Pack.model_validate(raw)
    except ValidationError as exc:
        raise PackError([_problem_from(error, raw, name) for error in exc.errors()]) from None
    unmet = unmet_requirements(pack, name)
    if unmet:
        raise PackError(unmet)
    return pack


def unmet_requirements(pack: Pack, name: str) -> list[PackProblem]:
    """What the pack requires that this installation does not have (read from package metadata: the bot process
    never imports torch)."""
    if pack.requires is None or pack.requires.torch is None:
        return []
    from importlib.metadata import PackageNotFoundError, version

    from packaging.specifiers import SpecifierSet

    try:
        installed = version("torch")
    except PackageNotFoundError:
        return [
            PackProblem(
                name, f"requires torch {pack.requires.torch}, and torch is not installed", field="requires.torch"
            )
        ]
    if installed not in SpecifierSet(pack.requires.torch, prereleases=True):
        message = f"requires torch {pack.requires.torch}, but torch {installed} is installed"
        return [PackProblem(name, message, field="requires.torch")]
    return []


def _problem_from(error: Any, raw: dict[str, Any], name: str) -> PackProblem:
    loc = list(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        message = "is missing"
    elif error["type"] == "extra_forbidden":
        message = "is not a field of the pack format"
    question: str | None = None
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        index = loc[1]
        question = _question_label(raw.get("questions"), index)
        loc = loc[2:]
    field_name = ".".join(str(part) for part in loc) or None
    return PackProblem(name, message, question=question, field=field_name)


def _question_label(questions: Any, index: int) -> str:
    if isinstance(questions, list) and index < len(questions):
        entry = questions[index]
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            return str(entry["id"])
    return f"#{index + 1}"


def pack_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their pack files, sorted, so output and load order are stable."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in PACK_SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


def load_library(paths: Iterable[Path]) -> PackLibrary:
    """Load every pack under `paths`; problems are collected, never raised."""
    library = PackLibrary()
    for path in pack_files(paths):
        try:
            pack = load_pack_file(path)
        except PackError as exc:
            library.problems.extend(exc.problems)
            continue
        if pack.id in library.packs:
            library.problems.append(PackProblem(str(path), f"pack id {pack.id!r} is already used", field="id"))
            continue
        library.packs[pack.id] = pack
    for problem in library.problems:
        log.warning("pack problem: %s", problem)
    log.info("loaded %d pack(s), %d problem(s)", len(library.packs), len(library.problems))
    return library
