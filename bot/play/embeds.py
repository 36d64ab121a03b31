"""Embeds of private plays (challenge, practice, review): a problem, its reveal, a code report, the summary.

Titles name the mode's own words (`PrivateMode.title`); an untimed problem shows no deadline.
"""

from __future__ import annotations

import discord

from bot.engine import AnswerOutcome, ChallengeRun, ChallengeSummary, QuestionResult, QuestionRound
from bot.engine.scoring import HINT_COST, base_points
from bot.play.replies import reveal_text
from bot.sandbox.grader import Grade
from bot.ui.format import (
    clip,
    code_block,
    fit_lines,
    inline_code,
    plain_line,
    plural,
)
from bot.ui.question import question_embed
from bot.ui.run_output import combined_output, stop_line

DESCRIPTION_LIMIT = 4000
OUTPUT_BLOCK_CHARS = 1000
CASES_SHOWN = 20


def problem_embed(run: ChallengeRun, current: QuestionRound, *, title: str, earns_points: bool = True) -> discord.Embed:
    embed = question_embed(
        f"{title} · Problem {run.position}/{len(run.questions)}",
        current,
        points=str(base_points(current.question.difficulty)) if earns_points else "practice (none)",
        footer=f"A hint costs {int(HINT_COST * 100)}% of the points." if earns_points else "Untimed: take your time.",
        timed=run.timed,
    )
    return embed


def verdict_line(result: QuestionResult, outcome: AnswerOutcome | None, *, earns_points: bool = True) -> str:
    if result.correct:
        return f"✅ **Correct!** +{result.points} points" if earns_points else "✅ **Correct!**"
    if result.timed_out:
        return "⏰ **Time's up.** No points for this one."
    last = f" ({outcome.choice})" if outcome is not None and not outcome.choice.startswith("code:") else ""
    return f"❌ **Not this time{last}.** No attempts left."


def reveal_embed(
    run: ChallengeRun,
    result: QuestionResult,
    outcome: AnswerOutcome | None,
    *,
    title: str,
    earns_points: bool = True,
    note: str | None = None,
) -> discord.Embed:
    question = result.question
    parts = [verdict_line(result, outcome, earns_points=earns_points), reveal_text(question)]
    if note:
        parts.append(note)
    description = "\n\n".join(parts)
    index = int(result.round_id.rsplit("-", 1)[1]) + 1
    embed = discord.Embed(
        title=clip(f"{title} · Problem {index}/{len(run.questions)} · closed", 256),
        description=description,
        colour=discord.Colour.green() if result.correct else discord.Colour.dark_grey(),
    )
    return embed


def summary_embed(
    run: ChallengeRun,
    summary: ChallengeSummary,
    *,
    badge_is_new: bool,
    title: str,
    earns_points: bool = True,
    footer: str | None = None,
) -> discord.Embed:
    points = f" · **{summary.points}** points" if earns_points else ""
    lines = [
        f"**{summary.correct}/{summary.total}** correct{points} · best streak {plural(summary.best_streak, 'answer')}",
    ]
    for number, result in enumerate(run.results, start=1):
        mark = "✅" if result.correct else ("⏰" if result.timed_out else "❌")
        shown = f" — {result.points}" if earns_points else ""
        lines.append(f"{mark} {number}. {clip(result.question.prompt, 80)}{shown}")
    if summary.badge is not None:
        status = "earned" if badge_is_new else "earned again (you already hold it)"
        lines.append(f"\n{summary.badge.emoji} Badge {status}: **{summary.badge.name}**")
    elif run.pack.badge is not None and earns_points:
        lines.append(f"\nGet every problem right to earn {run.pack.badge.emoji} **{run.pack.badge.name}**.")
    if footer:
        lines.append(f"\n{footer}")
    return discord.Embed(
        title=clip(f"{title} complete", 256),
        description="\n".join(lines),
        colour=discord.Colour.gold() if summary.badge else discord.Colour.blurple(),
    )


def code_report_embed(grade: Grade, outcome: AnswerOutcome | None, note: str | None = None) -> discord.Embed:
    """Each case of the question, pass or fail with expected and actual values, then the run's output.

    Actual values, details and the output come from the member's run: names and details are escaped onto their
    line, values sit in code spans, and the description is cut by whole lines so no span is left open.
    """
    result = grade.run
    cases = grade.cases
    passed = sum(case.passed for case in cases)
    lines: list[str] = []
    if outcome is not None:
        if outcome.correct:
            lines.append(f"✅ **All checks passed!** +{outcome.points} points")
        elif outcome.finished:
            lines.append("❌ **Not yet, and no attempts left.**")
        else:
            lines.append(f"❌ **Not yet.** {plural(outcome.attempts_left, 'attempt')} left.")
    if note:
        lines.append(note)
    if grade.reason and not grade.passed:
        lines.append(f"⚠️ {plain_line(grade.reason, 300)}")
    for case in cases[:CASES_SHOWN]:
        name = plain_line(case.name, 150)
        if case.passed:
            lines.append(f"✅ {name}: passed")
        elif case.expected is None:  # never reached: the reason line above (or the detail) says why
            why = "" if case.detail == grade.reason else f" — {plain_line(case.detail, 150)}"
            lines.append(f"❌ {name}: not reached{why}")
        else:
            lines.append(
                f"❌ {name}: failed, expected {inline_code(case.expected)} got {inline_code(case.actual or '?')}"
                + (f" — {plain_line(case.detail, 150)}" if case.detail and case.detail != "not equal" else "")
            )
    if len(cases) > CASES_SHOWN:
        lines.append(f"…and {len(cases) - CASES_SHOWN} more case(s)")
    stop = stop_line(result)
    if stop is not None:
        lines.append(stop)
    description = fit_lines(lines, DESCRIPTION_LIMIT)
    output = combined_output(result)
    heading = "**Output**\n"
    # The output block gets the room the lines leave; its limit counts the escaped text, so the fence survives.
    room = min(OUTPUT_BLOCK_CHARS, DESCRIPTION_LIMIT - len(description) - len(heading) - 1)
    if output.strip() and room >= 40:
        description = "\n".join(
            part for part in (description, heading + code_block(output, "text", limit=room)) if part
        )
    title = f"Check results: {passed}/{len(cases)} passed" if cases else "Check results"
    return discord.Embed(
        title=title,
        description=description,
        colour=discord.Colour.green() if grade.passed else discord.Colour.red(),
    )
