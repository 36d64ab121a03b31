"""How fast TorchQuiz acknowledges a burst of answer clicks in a live quiz, against a bare discord.py bot.

Both bots are real processes connected to the loopback fake of Discord. In one live session 200 members click
1000 times (A, B, C, D and Hint each). Latency: the clicks arrive at 400 per second and each one's latency is the
time from the fake sending INTERACTION_CREATE to it receiving the bot's callback. Throughput: on the next
questions the same 1000 clicks are injected all at once and clicks per second are counted until the last
answer (the median of three such bursts).
The bare bot answers the same bursts on a panel of five buttons and does nothing else.
Run: ``python bench/interactions.py``.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakediscord import FakeDiscord, FakeInteraction, FakeMessage, FakeUser, run_bot_process

MEMBERS = 200
LABELS = ("A", "B", "C", "D", "Hint")
DISCORD_DEADLINE = 3.0
# 1000 clicks in 2.5 s: 200 members each clicking five times in a couple of seconds, a heavy live moment.
PACED_RATE = 400.0
# Saturating bursts per bot; the median is reported, since a 2-core machine is noisy.
THROUGHPUT_ROUNDS = 3
BARE_BOT = str(Path(__file__).resolve().parent / "bare_bot.py")


def titled(text: str) -> Callable[[FakeMessage], bool]:
    return lambda message: text in message.text


def custom_ids(message: FakeMessage) -> dict[str, str]:
    return {str(b["label"]): str(b["custom_id"]) for b in message.buttons}


async def burst(
    fake: FakeDiscord, members: list[FakeUser], message: FakeMessage, labels: tuple[str, ...], rate: float | None
) -> tuple[list[float], float]:
    """Inject one click per member and label, `rate` per second (None: all at once), then collect every
    acknowledgement; returns the latencies and the clicks per second from first injection to last answer."""
    ids = custom_ids(message)
    plan = [(member, label) for label in labels for member in members]
    started = time.perf_counter()
    clicks: list[FakeInteraction] = []
    for index, (member, label) in enumerate(plan):
        if rate is not None:
            delay = started + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        clicks.append(await fake.click(member, message, ids[label], force=True))
    callbacks = await asyncio.gather(*(click.response(timeout=30) for click in clicks))
    elapsed = time.perf_counter() - started
    latencies = [callback.at - click.created_at for click, callback in zip(clicks, callbacks, strict=True)]
    return latencies, len(clicks) / elapsed


async def quiz_bot(folder: Path) -> tuple[list[float], float, list[str]]:
    async with FakeDiscord() as fake:
        guild = fake.add_guild("bench")
        channel = fake.add_channel(guild, "quiz")
        members = [fake.add_member(guild, f"member{i}") for i in range(MEMBERS)]
        moderator = fake.add_member(guild, "mod", manage_guild=True)
        env = {
            "TORCHQUIZ_TOKEN": "fake.bot.token",
            "TORCHQUIZ_DATABASE": str(folder / "bench.db"),
            "TORCHQUIZ_GUILD_READY_TIMEOUT": "0",
            "TORCHQUIZ_LOG_LEVEL": "WARNING",
            "TORCHQUIZ_SANDBOX_ENABLED": "false",
            "TORCHQUIZ_QUIZ_LOBBY_SECONDS": "60",
        }
        async with run_bot_process(fake, env):
            started = await fake.slash(
                moderator,
                "quiz",
                {"pack": "autograd-basics", "count": 1 + THROUGHPUT_ROUNDS, "time": 600},
                subcommand="start",
                channel_id=channel,
            )
            lobby = (await started.response()).message
            assert lobby is not None
            joins = await asyncio.gather(*(fake.click(m, lobby, custom_ids(lobby)["Join"]) for m in members))
            await asyncio.gather(*(join.response(timeout=30) for join in joins))
            await (await fake.click(moderator, lobby, custom_ids(lobby)["Start now"])).response()
            first = await fake.wait_for_message(lambda m: "Question 1/" in m.text, timeout=10, channel_id=channel)
            # Everybody answers A, B, C, D and asks for a hint: the real paths, refusals included.
            latencies, _ = await burst(fake, members, first, LABELS, PACED_RATE)
            rates: list[float] = []
            for number in range(2, 2 + THROUGHPUT_ROUNDS):
                await asyncio.sleep(1.0)
                skip = await fake.slash(moderator, "quiz", subcommand="skip", channel_id=channel)
                await skip.response()
                question = await fake.wait_for_message(titled(f"Question {number}/"), timeout=15, channel_id=channel)
                rates.append((await burst(fake, members, question, LABELS, None))[1])
        return latencies, statistics.median(rates), list(fake.violations)


async def bare_bot() -> tuple[list[float], float, list[str]]:
    async with FakeDiscord() as fake:
        guild = fake.add_guild("bench")
        channel = fake.add_channel(guild, "panel")
        members = [fake.add_member(guild, f"member{i}") for i in range(MEMBERS)]
        async with run_bot_process(fake, {}, entry=(BARE_BOT,)):
            panel = (await (await fake.slash(members[0], "panel", channel_id=channel)).response()).message
            assert panel is not None
            latencies, _ = await burst(fake, members, panel, LABELS, PACED_RATE)
            rates: list[float] = []
            for _ in range(THROUGHPUT_ROUNDS):
                await asyncio.sleep(1.0)
                rates.append((await burst(fake, members, panel, LABELS, None))[1])
        return latencies, statistics.median(rates), list(fake.violations)


def describe(name: str, latencies: list[float], rate: float) -> list[str]:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return [f"  {name:<22}{p50:>9.1f} ms{p99:>10.1f} ms{ordered[-1] * 1000:>10.1f} ms{rate:>14.0f}"]


async def main() -> int:
    bare_latencies, bare_rate, bare_violations = await bare_bot()
    folder = tempfile.mkdtemp(prefix="torchquiz-bench-")
    try:
        quiz_latencies, quiz_rate, quiz_violations = await quiz_bot(Path(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"interaction benchmark: {len(quiz_latencies)} clicks from {MEMBERS} members")
    print(f"  {'bot':<22}{'ack p50':>12}{'ack p99':>13}{'ack max':>13}{'clicks/s':>14}")
    print(f"  {'':<22}{'(' + str(int(PACED_RATE)) + ' clicks/s arriving)':>38}{'(all at once)':>14}")
    print("\n".join(describe("TorchQuiz live quiz", quiz_latencies, quiz_rate)))
    print("\n".join(describe("bare discord.py bot", bare_latencies, bare_rate)))
    ratio = quiz_rate / bare_rate
    late = sum(latency > DISCORD_DEADLINE for latency in quiz_latencies)
    p99 = sorted(quiz_latencies)[int(len(quiz_latencies) * 0.99)] * 1000
    print(f"  clicks/s, TorchQuiz vs bare: {ratio:.2f}x (target >= 0.5x)")
    print(f"  TorchQuiz p99 {p99:.0f} ms (target < 250 ms); acknowledged after 3 s: {late} (target 0)")
    print(f"  refusals by the fake: TorchQuiz {len(quiz_violations)}, bare {len(bare_violations)}")
    return 0 if late == 0 and not quiz_violations else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
