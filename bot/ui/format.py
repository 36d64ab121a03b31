"""Small formatting helpers that keep text inside Discord's limits, and member text out of Discord's markdown.

Text a member controls (sandbox output, error lines, check case names and values) must never become markup in the
bot's voice: it goes inside a code block or code span it cannot close (`code_block`, `inline_code`), or is escaped
onto one line (`plain_line`). Messages that carry it are cut by whole lines (`fit_lines`), never mid-span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from bot.packs.models import LETTERS, Question

TYPE_LABELS = {
    "conceptual": "Conceptual",
    "predict_output": "Predict Output",
    "model_choice": "Model Choice",
    "hyperparameter": "Hyperparameter",
    "metrics": "Metrics",
    "debug": "Debug",
    "code": "Code",
}
DIFFICULTY_COLOURS = {
    "beginner": discord.Colour.green(),
    "intermediate": discord.Colour.blue(),
    "advanced": discord.Colour.orange(),
    "expert": discord.Colour.red(),
}


FENCE = "`" * 3
ZERO_WIDTH_SPACE = "\u200b"
# Two backticks in a row could close a code span or block; a zero-width space between them looks the same.
_BACKTICK_PAIR = re.compile(r"`(?=`)")
# `<@id>`, `<#id>`, `</command:id>`, `<:emoji:id>`, `<t:unix>`: Discord turns these into mentions and widgets.
_DISCORD_TAG = re.compile(r"<(?=[@#/]|a?:|t:)")


def clip(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def countdown(unix_time: float) -> str:
    """A Discord timestamp that counts down in every client, with no message edits."""
    return f"<t:{int(unix_time)}:R>"


def one_line(text: str) -> str:
    """Every run of whitespace, newlines included, as one space: a newline would start a heading or a quote."""
    return " ".join(text.split())


def break_backticks(text: str) -> str:
    """`text` with no two backticks side by side, so it cannot close the code block or span it is put in."""
    return _BACKTICK_PAIR.sub("`" + ZERO_WIDTH_SPACE, text)


def code_block(code: str, language: str = "python", *, limit: int | None = None) -> str:
    """A fenced block that `code` cannot close early; with `limit`, the whole block fits in that many characters.

    The limit is applied after the backticks are broken up, so cutting never drops the closing fence.
    """
    head, tail = f"{FENCE}{language}\n", f"\n{FENCE}"
    body = discord.utils.escape_mentions(break_backticks(code.rstrip()))
    if limit is not None:
        body = clip(body, max(limit - len(head) - len(tail), 1))
    return head + body + tail


def inline_code(text: str, limit: int = 150) -> str:
    """`text` on one line in a code span it cannot leave; shown as written, backticks included."""
    body = discord.utils.escape_mentions(break_backticks(clip(one_line(text), limit))) or " "
    if "`" not in body:
        return f"`{body}`"
    # A double-backtick span ends only at two backticks in a row, which the body no longer has; a space keeps
    # a backtick at either end of the body from joining the fence.
    pad_left = " " if body.startswith("`") else ""
    pad_right = " " if body.endswith("`") else ""
    return f"``{pad_left}{body}{pad_right}``"


def plain_line(text: str, limit: int) -> str:
    """`text` as one line of plain text: markdown, masked links and mentions escaped, clipped to about `limit`."""
    escaped = discord.utils.escape_markdown(clip(one_line(text), limit))
    # A masked link needs `](` side by side; escaping the parenthesis leaves the text reading the same.
    escaped = escaped.replace("](", "]\\(")
    escaped = _DISCORD_TAG.sub("<" + ZERO_WIDTH_SPACE, escaped)
    return discord.utils.escape_mentions(escaped)


def fit_lines(lines: Sequence[str], limit: int) -> str:
    """Join whole lines while they fit in `limit` characters, then mark the cut.

    Cutting inside a line could leave a code span open, and the member text after it would render as markdown.
    """
    joined = "\n".join(lines)
    if len(joined) <= limit:
        return joined
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit - 2:
            kept.append("…")
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def choice_lines(question: Question) -> str:
    return "\n".join(f"**{letter}.** {text}" for letter, text in zip(LETTERS, question.choices or (), strict=False))


def choice_text(question: Question, letter: str) -> str:
    choices = question.choices or []
    index = LETTERS.index(letter)
    return choices[index] if index < len(choices) else letter


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
