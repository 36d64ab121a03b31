"""Reading a message as Discord renders it, for tests that member text never becomes markup in the bot's voice.

Fenced blocks and code spans show their text as written; everything else is markdown. A message is safe when its
one block cannot close early, and outside code no line holds a heading, quote, masked link, raw mention or a code
span left open.
"""

from __future__ import annotations

import re

FENCE = "`" * 3

# Discord's inline code rule: a run of backticks, text that does not end in a backtick, the same run again.
CODE_SPAN = re.compile(r"(`+)([\s\S]*?[^`])\1(?!`)")
RAW_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d")
# Characters that format text anywhere in a line (a hash or a quote mark only at its start).
MARKDOWN = set("*_~|`")
BOT_LINE_STARTS = ("**Output**", "-# ", "💥 ", "⏱️ ", "🧠 ", "📜 ", "✅ ", "❌ ", "⚠️ ", "…")


def split_block(content: str) -> tuple[str, str]:
    """The text outside the one fenced block and the text inside it; fails unless there is exactly one block."""
    assert content.count(FENCE) == 2, f"expected exactly one code block, got {content.count(FENCE)} fences"
    before, inside, after = content.split(FENCE)
    return before + after, inside


def read_line(line: str) -> tuple[str, list[str]]:
    """The markdown part of `line` and the contents of its code spans, read left to right as Discord does.

    A backslash escapes the punctuation after it, and a run of backticks opens a span only if the same run closes
    it. Span contents lose the padding space Discord trims next to a backtick.
    """
    plain: list[str] = []
    found: list[str] = []
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line) and not line[index + 1].isalnum() and not line[index + 1].isspace():
            plain.append(line[index : index + 2])
            index += 2
            continue
        match = CODE_SPAN.match(line, index) if char == "`" else None
        if match is not None:
            found.append(re.sub(r"^ (?=`)|(?<=`) $", "", match.group(2)))
            index = match.end()
            continue
        plain.append(char)
        index += 1
    return "".join(plain), found


def spans(line: str) -> list[str]:
    return [visible(span) for span in read_line(line)[1]]


def assert_plain(outside: str) -> None:
    """Markdown text with no member markup: headings, quotes, masked links, pings or a code span left open.

    Member text never starts a line (it is collapsed onto the bot's own lines), so a line-start check is enough.
    """
    for line in filter(None, outside.splitlines()):
        text, _ = read_line(line)
        assert line.startswith(BOT_LINE_STARTS), f"line does not start as the bot's own lines do: {line!r}"
        assert not re.match(r"\s*(#{1,3}\s|>)", text), f"line renders as a heading or quote: {line!r}"
        assert "](" not in text, f"line holds a masked link: {line!r}"
        assert not RAW_MENTION.search(text), f"line holds a raw mention: {line!r}"
        assert not unescaped(text, "`"), f"line leaves a code span open: {line!r}"


def unescaped(text: str, characters: str | set[str]) -> list[str]:
    """The characters of `characters` in `text` that no backslash escapes."""
    found: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in characters:
            found.append(char)
    return found


def visible(text: str) -> str:
    """`text` as a reader sees it, without the zero-width spaces that split backticks and mentions."""
    return text.replace("\u200b", "")
