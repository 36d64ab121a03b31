"""Member text in `/run` replies and check reports never becomes Discord markup in the bot's voice.

The checks read a message the way Discord does (`tests/discord_markdown.py`): outside code there must be no
heading, masked link, raw mention or unescaped markdown character that the member wrote, and no block or span may
close early or be left open.
"""

from __future__ import annotations

import pytest

from bot.engine.round import AnswerOutcome
from bot.play.embeds import DESCRIPTION_LIMIT, code_report_embed
from bot.sandbox import CaseResult, Outcome, Result
from bot.sandbox.grader import Grade
from bot.ui.format import code_block, fit_lines, inline_code, plain_line
from bot.ui.run_output import MESSAGE_LIMIT, combined_output, render_run
from tests.discord_markdown import (
    FENCE,
    MARKDOWN,
    RAW_MENTION,
    assert_plain,
    read_line,
    spans,
    split_block,
    unescaped,
    visible,
)

NITRO = "ValueError: x\n# FREE NITRO\n[claim it](https://example.com/nitro)"
PINGS = "@everyone @here <@123456789012345678> <@!123456789012345678> <@&123456789012345678>"


def stop_lines(content: str) -> list[str]:
    return [line for line in content.splitlines() if line.startswith("💥")]


# -- /run ------------------------------------------------------------------------------------------------------------


def test_a_multi_line_error_stays_on_one_escaped_stop_line() -> None:
    traceback = f'Traceback (most recent call last):\n  File "<snippet>", line 1, in <module>\n{NITRO}\n'
    content, attachment = render_run(Result(Outcome.ERROR, stderr=traceback, error_line=NITRO))
    assert attachment is None
    outside, inside = split_block(content)
    assert_plain(outside)
    assert visible(inside).endswith(NITRO + "\n")  # the traceback itself is shown as written, inside the block
    [stop] = stop_lines(content)
    assert stop == content.splitlines()[-1]
    assert stop.startswith("💥 Error: ValueError: x ") and "FREE NITRO" in stop and "claim it" in stop
    assert "\n" not in stop and "\\# FREE NITRO" not in stop  # collapsed, so no line starts with the hash


def test_the_stop_line_escapes_markdown_and_mentions() -> None:
    error = f"ValueError: **bold** __under__ ||spoiler|| ~~gone~~ `code` \\*already\\* > quote {PINGS}"
    content, _ = render_run(Result(Outcome.ERROR, error_line=error))
    [stop] = stop_lines(content)
    member_part = stop.removeprefix("💥 Error: ")
    assert unescaped(member_part, MARKDOWN) == []
    assert not RAW_MENTION.search(stop)
    assert "-# (no output)" in content and FENCE not in content


def test_a_long_error_line_is_clipped() -> None:
    content, _ = render_run(Result(Outcome.ERROR, error_line="RuntimeError: " + "boom\n" * 500))
    [stop] = stop_lines(content)
    assert len(stop) < 400 and stop.endswith("…")


def test_output_cannot_close_its_block_or_ping() -> None:
    output = f"before\n```\n# FREE NITRO\n[claim it](https://example.com/nitro)\n{PINGS}\n````\n`` ` ``\nafter\n"
    content, attachment = render_run(Result(Outcome.OK, stdout=output), title="Output")
    assert attachment is None
    outside, inside = split_block(content)
    assert_plain(outside)
    assert outside.strip() == content.splitlines()[0]  # only the header is outside the block
    assert visible(inside) == "text\n" + output.rstrip() + "\n"  # the output reads exactly as printed
    assert not RAW_MENTION.search(inside)


@pytest.mark.parametrize(
    "result",
    [
        Result(Outcome.OK, stdout="`" * 1400),  # under the raw budget, twice as long once the backticks are split
        Result(Outcome.ERROR, stdout="`" * 1490, error_line="E: " + "*`" * 400 + "\n# FREE NITRO"),
        Result(Outcome.OUTPUT_LIMIT, stdout="```" * 2000, truncated=True, reason="output limit (64 KiB)"),
    ],
)
def test_output_cut_to_fit_keeps_its_closing_fence(result: Result) -> None:
    content, attachment = render_run(result)
    assert len(content) <= MESSAGE_LIMIT
    outside, _ = split_block(content)
    assert_plain(outside)
    assert attachment is not None and "Output cut to fit" in content
    assert attachment.fp.read().decode("utf-8") == combined_output(result)


def test_ordinary_runs_read_as_before() -> None:
    content, _ = render_run(
        Result(Outcome.ERROR, error_line="RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)")
    )
    assert "💥 Error: RuntimeError: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)" in content
    content, _ = render_run(Result(Outcome.TIMEOUT, stdout="tensor(14.)\n", reason="time limit (2 s)"))
    assert "```text\ntensor(14.)\n```" in content and content.endswith("⏱️ Stopped early: time limit (2 s)")


# -- check reports ----------------------------------------------------------------------------------------------------

HOSTILE_CASES = (
    CaseResult(name="# FREE NITRO\n[claim it](https://example.com/nitro) @everyone", passed=True),
    CaseResult(
        name="shape `x`` **bold**",
        passed=False,
        expected="``` `a` ```",
        actual="tensor([1.])\n# FREE NITRO\n[claim it](https://example.com/nitro) <@123456789012345678>",
        detail="not equal\n> quoted **bold** <@123456789012345678>",
    ),
    CaseResult(name="backtick edges", passed=False, expected="`", actual="x`"),
)


def test_check_report_keeps_case_text_escaped_or_in_code() -> None:
    result = Result(Outcome.OK, stdout=f"```\n# FREE NITRO\n{PINGS}\n")
    description = code_report_embed(Grade(result, HOSTILE_CASES), None).description or ""
    outside, inside = split_block(description)
    assert_plain(outside)
    assert "FREE NITRO" in visible(inside)
    lines = outside.splitlines()
    assert lines[0].startswith("✅ \\# FREE NITRO \\[claim it]\\(https://example.com/nitro) @\u200beveryone: passed")
    assert unescaped(read_line(lines[1])[0].removeprefix("❌ "), MARKDOWN) == []
    assert spans(lines[1]) == [
        "``` `a` ```",
        "tensor([1.]) # FREE NITRO [claim it](https://example.com/nitro) <@123456789012345678>",
    ]
    assert spans(lines[2]) == ["`", "x`"]


def test_check_report_reads_as_before_for_ordinary_values() -> None:
    case = CaseResult(
        name="gradient of sum(x²) at [1, 2, 3]", passed=False, expected="tensor([2., 4., 6.])", actual="[0.0]"
    )
    outcome = AnswerOutcome(1, "code:1", 1, False, 2, False, 0, None)
    embed = code_report_embed(Grade(Result(Outcome.OK), (case,)), outcome)
    assert embed.title == "Check results: 0/1 passed"
    assert "❌ gradient of sum(x²) at [1, 2, 3]: failed, expected `tensor([2., 4., 6.])` got `[0.0]`" in (
        embed.description or ""
    )


def test_a_long_check_report_is_cut_between_lines() -> None:
    case = CaseResult(name="n`" * 100, passed=False, expected="`" * 150, actual="[x](https://e.com) " * 10)
    result = Result(Outcome.ERROR, stdout="`" * 3000, error_line=NITRO)
    description = code_report_embed(Grade(result, (case,) * 30, reason=NITRO), None).description or ""
    assert len(description) <= DESCRIPTION_LIMIT
    assert description.count(FENCE) in (0, 2)
    outside = split_block(description)[0] if FENCE in description else description
    assert_plain(outside)
    assert "…" in outside.splitlines()


# -- the helpers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["plain", "`", "``", "a`b", "`a`", "``` x ```", "", "  two\nlines  "])
def test_inline_code_shows_its_text_and_cannot_be_left(text: str) -> None:
    rendered = inline_code(text)
    assert "\n" not in rendered
    plain, found = read_line(rendered)
    assert plain == ""  # the whole thing is one span, closed by its own fence
    assert [visible(span).strip() for span in found] == [" ".join(text.split())]


def test_code_block_limit_counts_the_escaped_text() -> None:
    block = code_block("`" * 500, "text", limit=300)
    assert len(block) <= 300 and block.count(FENCE) == 2 and block.endswith("\n" + FENCE)


def test_plain_line_is_one_line() -> None:
    line = plain_line("a\r\nb\u2028c\t\td", 100)
    assert line == "a b c d"


def test_fit_lines_keeps_whole_lines() -> None:
    assert fit_lines(["a" * 10, "b" * 10], 21) == "a" * 10 + "\n" + "b" * 10
    assert fit_lines(["a" * 10, "b" * 10, "c" * 10], 21) == "a" * 10 + "\n…"
