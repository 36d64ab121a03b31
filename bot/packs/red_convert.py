"""Converting a Red-DiscordBot trivia list into a TorchQuiz pack: the pure part of `packs import-red`.

Why: study groups often already have Red-DiscordBot trivia lists (a YAML mapping of question text to the
accepted answers, with optional `AUTHOR`). Red asks for a typed answer; TorchQuiz asks for a button, so each
question becomes a multiple-choice `conceptual` question whose wrong choices are other questions' answers.
Red's metadata keys become the pack's: `AUTHOR` its author, `DESCRIPTION` its description, and `CONFIG`'s
`delay` its time limit. A list longer than a pack holds (200 questions) becomes numbered parts.

Everything is deterministic (distractors and the correct letter are derived from hashes of the question text),
so importing the same list twice gives the same pack and a diff of the output shows only real changes.

Answers are read from the YAML nodes as written: YAML would turn `yes` into True and `3.10` into 3.1, which is
not what a trivia author typed. Keys are checked as Red checks them: a question must be a text key.
Nothing here prints or writes files; `bot.packs.red_import` is the command around it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.packs.models import LETTERS

# The pack format's limits (bot/packs/models.py), repeated here to explain a refusal before pydantic does.
PROMPT_LIMIT = 1000
CHOICE_LIMIT = 200
EXPLANATION_LIMIT = 1000
TITLE_LIMIT = 100
AUTHOR_LIMIT = 100
ID_LIMIT = 40
MAX_QUESTIONS = 200
MAX_DISTRACTORS = 3  # four choices in all: the answer and three others

RESERVED_KEYS = frozenset({"AUTHOR", "DESCRIPTION", "CONFIG", "$schema"})
"""Red's metadata keys (mapped to the pack's author, description and defaults) and an editor's schema line."""
DESCRIPTION_LIMIT = 500
MIN_TIME_LIMIT, MAX_TIME_LIMIT = 2, 600
ANSWER_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "timestamp")
)  # scalars an author may write as an answer; null, binary and the like are refused
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
DESCRIPTION = "Imported from a Red-DiscordBot trivia list."


@dataclass(frozen=True)
class Skipped:
    """One item of the list that did not become a question, and why (a line of the report)."""

    question: str
    reason: str

    def __str__(self) -> str:
        shown = self.question if len(self.question) <= 80 else self.question[:79] + "…"
        return f"question {shown!r}: {self.reason}"


@dataclass
class Conversion:
    """The pack as a plain mapping (ready for `yaml.safe_dump`), and everything that was left out."""

    pack: dict[str, Any]
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def converted(self) -> int:
        return len(self.pack["questions"])

    def parts(self) -> list[dict[str, Any]]:
        """The pack, or, past `MAX_QUESTIONS` questions, numbered packs of at most that many each."""
        questions = self.pack["questions"]
        if len(questions) <= MAX_QUESTIONS:
            return [self.pack]
        chunks = [questions[start : start + MAX_QUESTIONS] for start in range(0, len(questions), MAX_QUESTIONS)]
        parts = []
        for number, chunk in enumerate(chunks, start=1):
            suffix = f"-{number}"
            part = {**self.pack, "questions": chunk}
            part["id"] = self.pack["id"][: ID_LIMIT - len(suffix)] + suffix
            part["title"] = f"{self.pack['title'][: TITLE_LIMIT - 20]} (part {number} of {len(chunks)})"
            parts.append(part)
        return parts


class NotATriviaList(Exception):
    """The file cannot be read, is not YAML, or is not a mapping; nothing can be converted."""


@dataclass(frozen=True)
class _Entry:
    position: int  # in the file, so the report follows the list's order
    text: str
    answers: tuple[str, ...]


def convert_file(path: Path, *, pack_id: str | None = None, title: str | None = None) -> Conversion:
    """Read and convert one trivia list; raises `NotATriviaList` when there is no mapping to convert."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NotATriviaList(f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise NotATriviaList("is not UTF-8 text") from None
    return convert_text(
        text,
        pack_id=pack_id or slugify(path.stem)[:ID_LIMIT].rstrip("-") or "imported",
        title=title or _title_from(path.stem),
    )


def convert_text(text: str, *, pack_id: str, title: str) -> Conversion:
    """Convert the YAML text of a trivia list into a pack mapping plus the report of what was left out."""
    pairs = _top_level_pairs(text)
    author = "unknown"
    description = DESCRIPTION
    defaults: dict[str, int] = {}
    notes: list[str] = []
    skipped: list[tuple[int, Skipped]] = []
    entries: list[_Entry] = []
    for position, (key, value_node) in enumerate(pairs):
        if key == "AUTHOR":
            if isinstance(value_node, yaml.ScalarNode) and value_node.value.strip():
                author = value_node.value.strip()[:AUTHOR_LIMIT]
            else:
                notes.append("AUTHOR is not a text value; the pack's author is 'unknown'")
            continue
        if key == "DESCRIPTION":
            if isinstance(value_node, yaml.ScalarNode) and value_node.value.strip():
                description = value_node.value.strip()[:DESCRIPTION_LIMIT]
            else:
                notes.append("DESCRIPTION is not a text value; the pack keeps the default description")
            continue
        if key == "CONFIG":
            defaults, config_notes = _config(value_node)
            notes.extend(config_notes)
            continue
        if key in RESERVED_KEYS:
            continue
        if not isinstance(key, str):
            skipped.append((position, Skipped(str(key), f"the key is {_kind(key)}, not text (quote it in the list)")))
            continue
        answers = _answers(value_node)
        if isinstance(answers, str):
            skipped.append((position, Skipped(key, answers)))
            continue
        entries.append(_Entry(position, key.strip(), answers))
    questions, more_skipped = _build_questions(entries)
    skipped.extend(more_skipped)
    skipped.sort(key=lambda item: item[0])
    pack: dict[str, Any] = {
        "id": pack_id,
        "title": title.strip()[:TITLE_LIMIT] or pack_id,
        "description": description,
        "author": author,
    }
    if defaults:
        pack["defaults"] = defaults
    pack["questions"] = questions
    return Conversion(pack=pack, skipped=[item for _, item in skipped], notes=notes)


def _config(node: yaml.Node) -> tuple[dict[str, int], list[str]]:
    """Red's session settings: `delay` (seconds to answer) becomes the pack's time limit; the rest has no
    equivalent in a pack and is named in one note."""
    if not isinstance(node, yaml.MappingNode):
        return {}, ["CONFIG is not a mapping and was ignored"]
    defaults: dict[str, int] = {}
    ignored: list[str] = []
    for key_node, value_node in node.value:
        name = str(key_node.value)
        if name == "delay" and isinstance(value_node, yaml.ScalarNode):
            try:
                seconds = round(float(value_node.value))
            except ValueError:
                ignored.append(name)
                continue
            defaults["time_limit"] = min(max(seconds, MIN_TIME_LIMIT), MAX_TIME_LIMIT)
        else:
            ignored.append(name)
    notes = [f"CONFIG keys with no equivalent in a pack were ignored: {', '.join(ignored)}"] if ignored else []
    return defaults, notes


def _top_level_pairs(text: str) -> list[tuple[Any, yaml.Node]]:
    """The mapping's keys (constructed, to check their type) and value nodes, in file order, duplicates kept
    (a plain `safe_load` would silently keep only the last of two equal questions)."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if not isinstance(root, yaml.MappingNode):
            raise NotATriviaList("is not a trivia list: expected a mapping of question text to a list of answers")
        return [(loader.construct_object(key, deep=True), value) for key, value in root.value]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise NotATriviaList(f"is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    except TypeError as exc:  # an unhashable key such as a list, which Red refuses too
        raise NotATriviaList(f"has a key that is not text: {exc}") from None
    except RecursionError:
        raise NotATriviaList("nests lists or mappings too deeply to be read") from None
    finally:
        loader.dispose()


def _answers(node: yaml.Node) -> tuple[str, ...] | str:
    """The accepted answers as written, stripped and in order; a string says why there are none."""
    if not isinstance(node, yaml.SequenceNode):
        return f"the answers are not a list (found {_node_kind(node)})"
    answers: list[str] = []
    for number, item in enumerate(node.value, start=1):
        if not isinstance(item, yaml.ScalarNode) or item.tag not in ANSWER_TAGS:
            return f"answer {number} is {_node_kind(item)}, not text or a number"
        if item.value.strip():
            answers.append(item.value.strip())
    if not answers:
        return "the list of answers is empty"
    return tuple(answers)


def _build_questions(entries: Sequence[_Entry]) -> tuple[list[dict[str, Any]], list[tuple[int, Skipped]]]:
    """Questions for the entries whose answers parsed, and the (position, reason) of those that cannot be."""
    skipped: list[tuple[int, Skipped]] = []

    def skip(entry: _Entry, reason: str) -> None:
        skipped.append((entry.position, Skipped(entry.text, reason)))

    pool = _distractor_pool(entries)
    # A question written twice is still one question: no answer of either copy may be a wrong choice for it.
    accepted_by_key: dict[str, set[str]] = {}
    for entry in entries:
        accepted_by_key.setdefault(_question_key(entry.text), set()).update(a.casefold() for a in entry.answers)
    slugs: dict[str, str] = {}
    questions: list[dict[str, Any]] = []
    for entry in entries:
        full_slug = slugify(entry.text)
        first = entry.answers[0]
        if len(entry.text) > PROMPT_LIMIT:
            skip(entry, f"the question is {len(entry.text)} characters (at most {PROMPT_LIMIT})")
            continue
        if len(first) > CHOICE_LIMIT:
            skip(entry, f"the first answer is {len(first)} characters (a choice holds at most {CHOICE_LIMIT})")
            continue
        key = _question_key(entry.text)
        if key in slugs:
            skip(entry, f"duplicates question {slugs[key]!r} once slugified ({key!r})")
            continue
        slugs[key] = entry.text
        candidates = [other for other in pool if other.casefold() not in accepted_by_key[key]]
        if not candidates:
            skip(entry, "the list has too few distinct answers to build a wrong choice for it")
            continue
        questions.append(_question(entry, question_id(full_slug, entry.text), candidates))
    return questions, skipped


def _question_key(text: str) -> str:
    """What makes two questions the same one: their full slug (a hash when the text has no Latin letters)."""
    return slugify(text) or _digest(text)


def _distractor_pool(entries: Sequence[_Entry]) -> list[str]:
    """Every question's first answer that fits a choice, once each (compared case-insensitively)."""
    seen: set[str] = set()
    pool: list[str] = []
    for entry in entries:
        first = entry.answers[0]
        if len(first) <= CHOICE_LIMIT and first.casefold() not in seen:
            seen.add(first.casefold())
            pool.append(first)
    return pool


def _question(entry: _Entry, qid: str, candidates: list[str]) -> dict[str, Any]:
    """A multiple-choice question: the first accepted answer among up to three hashed picks of the others."""
    ranked = sorted(candidates, key=lambda other: _digest(f"{entry.text}\x00{other}"))
    choices = ranked[:MAX_DISTRACTORS]
    position = int(_digest(entry.text), 16) % (len(choices) + 1)
    correct = entry.answers[0]
    choices.insert(position, correct)
    return {
        "id": qid,
        "type": "conceptual",
        "difficulty": "intermediate",
        "tags": ["imported"],
        "prompt": entry.text,
        "choices": choices,
        "answer": LETTERS[position],
        "hint": f"The answer starts with {correct[0]!r} and has {len(correct)} character{'s' * (len(correct) != 1)}.",
        "explanation": _explanation(entry.answers),
    }


def _explanation(answers: Sequence[str]) -> str:
    """ "Accepted answers in the original list: …", cut to the format's limit with a count of the rest."""
    prefix = "Accepted answers in the original list: "
    shown: list[str] = []
    for number, answer in enumerate(answers):
        rest = len(answers) - number - 1
        candidate = "; ".join([*shown, answer]) + (f"; and {rest} more" if rest else "") + "."
        if len(prefix) + len(candidate) > EXPLANATION_LIMIT:
            break
        shown.append(answer)
    rest = len(answers) - len(shown)
    return prefix + "; ".join(shown) + (f"; and {rest} more" if rest else "") + "."


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by '-' ("What is 2 + 2?" → "what-is-2-2"), untruncated; may be empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def question_id(full_slug: str, text: str) -> str:
    """A pack-format id (at most 40 characters): the slug itself when it fits, else its start plus a short
    hash of the whole slug, so two long questions that begin alike still get different ids."""
    if not full_slug:  # nothing Latin to keep, e.g. a question in Japanese
        return f"q-{_digest(text)[:8]}"
    if len(full_slug) <= ID_LIMIT:
        return full_slug
    head = full_slug[: ID_LIMIT - 7].rstrip("-")
    return f"{head}-{_digest(full_slug)[:6]}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _title_from(stem: str) -> str:
    words = re.sub(r"[-_]+", " ", stem).split()
    return " ".join(word[:1].upper() + word[1:] for word in words) or "Imported trivia"


def _kind(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, date):
        return "a date"
    return f"a {type(value).__name__}"


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "empty"
    return f"the single value {node.value!r}"
