"""Counts of questions by pack, type and difficulty, as `packs check` prints them (and the README lists them)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.packs.models import Pack, Question

TYPES = ("conceptual", "predict_output", "model_choice", "hyperparameter", "metrics", "debug", "code")
SHORT_TYPES = ("concept", "predict", "model", "hyper", "metrics", "debug", "code")
DIFFICULTIES = ("beginner", "intermediate", "advanced", "expert")
SHORT_DIFFICULTIES = ("beg", "int", "adv", "exp")


def count_table(packs: Sequence[Pack]) -> str:
    """A fixed-width table: one row per pack, a total row, questions by type then by difficulty."""
    header = ["pack", "total", *SHORT_TYPES, *SHORT_DIFFICULTIES]
    rows = [_row(pack.id, list(pack.questions)) for pack in packs]
    rows.append(_row("all packs", [q for pack in packs for q in pack.questions]))
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = []
    for row in table:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def _row(name: str, questions: list[Question]) -> list[str]:
    types = [sum(q.type == kind for q in questions) for kind in TYPES]
    levels = [sum(q.difficulty == level for q in questions) for level in DIFFICULTIES]
    return [name, str(len(questions)), *(str(n) for n in [*types, *levels])]
