"""How a sandbox run is shown in Discord: output in a code block, the run time, and one plain line for an early
stop; output too long for a message comes as a file. Used by `/run` and by code questions."""

from __future__ import annotations

import io

import discord

from bot.sandbox import Outcome, Result
from bot.ui.format import clip, code_block, plural

MESSAGE_LIMIT = 2000
# What the message keeps for the header and the stop line around the output block.
OUTPUT_BUDGET = 1500

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
        return f"{emoji} Stopped early: {result.reason or limit}"
    if result.outcome is Outcome.ERROR:
        return f"💥 Error: {clip(result.error_line or 'the code raised an exception', 300)}"
    if result.outcome is Outcome.CRASHED:
        return f"💥 {result.summary().capitalize()}"
    return None


def render_run(result: Result, *, title: str = "Output") -> tuple[str, discord.File | None]:
    """Message content (≤ 2000 characters) and, when the output does not fit, the whole output as a file."""
    if result.refused:
        return clip(_refusal(result), MESSAGE_LIMIT), None
    output = combined_output(result)
    header = f"**{title}** · ran in {result.duration * 1000:.0f} ms"
    lines = [header]
    attachment: discord.File | None = None
    if output.strip():
        shown = output
        if len(output) > OUTPUT_BUDGET or output.count("\n") > 40:
            kept = "\n".join(output[:OUTPUT_BUDGET].splitlines()[:40])
            shown = kept + "\n…"
            attachment = discord.File(io.BytesIO(output.encode("utf-8")), filename="output.txt")
        lines.append(code_block(shown, "text"))
        if attachment is not None:
            lines.append(f"-# Output cut to fit; the whole {plural(len(output.splitlines()), 'line')} are attached.")
    else:
        lines.append("-# (no output)")
    if result.truncated:
        lines.append("-# The run was stopped at the output limit, so the output ends there.")
    stop = stop_line(result)
    if stop is not None:
        lines.append(stop)
    return clip("\n".join(lines), MESSAGE_LIMIT), attachment


def _refusal(result: Result) -> str:
    if result.outcome is Outcome.UNAVAILABLE:
        return f"Code can't run right now: {result.reason or 'the sandbox is unavailable'}."
    retry = max(1, round(result.retry_after or 1))
    if result.outcome is Outcome.COOLDOWN:
        return f"You just ran something; try again in {retry} s."
    return f"The sandbox is busy ({result.reason or 'every worker is in use'}); try again in {retry} s."
