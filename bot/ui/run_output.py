"""How a sandbox run is shown in Discord: output in a code block, the run time, and one plain line for an early
stop; output too long for a message comes as a file. Used by `/run` and by code questions.

Everything the run printed or raised is the member's text: the output stays inside a block it cannot close, and the
error line is escaped onto the one stop line, so neither can post headings, links or pings in the bot's voice.
"""

from __future__ import annotations

import io

import discord

from bot.sandbox import Outcome, Result
from bot.ui.format import clip, code_block, plain_line, plural

MESSAGE_LIMIT = 2000
# What the message keeps for the header and the stop line around the output block.
OUTPUT_BUDGET = 1500
OUTPUT_LINES = 40
ERROR_LINE_CHARS = 300
TRUNCATED_NOTE = "-# The run was stopped at the output limit, so the output ends there."

STOP_LINES = {
    Outcome.TIMEOUT: ("⏱️", "time limit"),
    Outcome.MEMORY: ("🧠", "memory limit"),
    Outcome.OUTPUT_LIMIT: ("📜", "output limit"),
}


def combined_output(result: Result) -> str:
    parts = [result.stdout]
    if result.stderr:
        parts.append(result.stderr)
    return "".join(part if part.endswith("\n") or not part else part + "\n" for part in parts)


def stop_line(result: Result) -> str | None:
    """The one plain line that says why a run ended early, or None for a run that finished."""
    if result.outcome in STOP_LINES:
        emoji, limit = STOP_LINES[result.outcome]
        return f"{emoji} Stopped early: {plain_line(result.reason or limit, ERROR_LINE_CHARS)}"
    if result.outcome is Outcome.ERROR:
        # The member's exception message: one line, escaped, so it cannot start a heading or hide a link.
        return f"💥 Error: {plain_line(result.error_line or 'the code raised an exception', ERROR_LINE_CHARS)}"
    if result.outcome is Outcome.CRASHED:
        return f"💥 {plain_line(result.summary().capitalize(), ERROR_LINE_CHARS)}"
    return None


def render_run(result: Result, *, title: str = "Output") -> tuple[str, discord.File | None]:
    """Message content (≤ 2000 characters) and, when the output does not fit, the whole output as a file."""
    if result.refused:
        return clip(_refusal(result), MESSAGE_LIMIT), None
    output = combined_output(result)
    header = f"**{title}** · ran in {result.duration * 1000:.0f} ms"
    tail = [TRUNCATED_NOTE] if result.truncated else []
    stop = stop_line(result)
    if stop is not None:
        tail.append(stop)
    attachment: discord.File | None = None
    if not output.strip():
        body = ["-# (no output)"]
    else:
        cut_note = f"-# Output cut to fit; the whole {plural(len(output.splitlines()), 'line')} are attached."
        # The block gets what the other lines leave, measured after escaping, so the closing fence always fits.
        room = MESSAGE_LIMIT - len("\n".join([header, cut_note, *tail])) - 1
        block = code_block(output, "text")
        if len(output) > OUTPUT_BUDGET or output.count("\n") > OUTPUT_LINES or len(block) > room:
            kept = "\n".join(output[:OUTPUT_BUDGET].splitlines()[:OUTPUT_LINES])
            block = code_block(kept + "\n…", "text", limit=room)
            attachment = discord.File(io.BytesIO(output.encode("utf-8")), filename="output.txt")
            body = [block, cut_note]
        else:
            body = [block]
    return clip("\n".join([header, *body, *tail]), MESSAGE_LIMIT), attachment


def _refusal(result: Result) -> str:
    if result.outcome is Outcome.UNAVAILABLE:
        return f"Code can't run right now: {result.reason or 'the sandbox is unavailable'}."
    retry = max(1, round(result.retry_after or 1))
    if result.outcome is Outcome.COOLDOWN:
        return f"You just ran something; try again in {retry} s."
    return f"The sandbox is busy ({result.reason or 'every worker is in use'}); try again in {retry} s."
