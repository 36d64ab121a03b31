"""`/profile` through the real bot: the existing figures, the daily streak, and topic mastery with what to practise.

Mastery comes from FSRS recall, which counts whole days, so the test moves the bot's clock two days ahead
(`TORCHQUIZ_CLOCK_OFFSET_FILE`) to see the topics of the missed questions fall behind the others.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.conftest import World
from tests.e2e.live import field
from tests.e2e.player import Player
from tests.fakediscord import FakeMessage, FakeUser, run_bot_process

DAY = 24 * 3600
# autograd-basics: why-autodiff (A), cubic-grad (B), clear-gradient-model (A), lr-too-high (C), detach-backward (D)
MISSED_ONLY_TAGS = {"models", "detach", "debugging"}  # tags found only on the two questions answered wrong
RIGHT_ONLY_TAGS = {"training", "backward", "optimizers", "learning-rate"}


async def profile(world: World, user: FakeUser, member: FakeUser | None = None) -> FakeMessage:
    options = {"member": member} if member is not None else None
    callback = await (await world.fake.slash(user, "profile", options, channel_id=world.channel_id)).response()
    assert callback.message is not None and callback.message.ephemeral
    return callback.message


def tags_of(text: str) -> list[str]:
    return re.findall(r"`([a-z0-9_-]+)`", text)


async def test_profile_shows_topics_to_practise(world: World, tmp_path: Path) -> None:
    bob, carol = world.members["bob"], world.members["carol"]
    offset_file = tmp_path / "clock-offset"
    offset_file.write_text("0", encoding="ascii")
    env = {**world.env(), "TORCHQUIZ_CLOCK_OFFSET_FILE": str(offset_file)}
    async with run_bot_process(world.fake, env):
        empty = await profile(world, carol)
        assert "No answers yet" in empty.text and field(empty, "Daily streak").startswith("none yet")
        assert "Practise next" not in empty.text  # no topic known yet

        player = Player(world.fake, bob, world.channel_id)
        await player.start()
        await player.answer_and_advance("A")
        await player.answer_and_advance("B")
        await player.click("B")  # clear-gradient-model: wrong twice
        await player.answer_and_advance("C")
        await player.answer_and_advance("C")
        await player.click("A")  # detach-backward: wrong twice
        _, summary = await player.answer_and_advance("B")
        assert "3/5" in summary.text

        today = await profile(world, bob)
        assert field(today, "Accuracy").startswith("60%") and field(today, "Streak")  # the existing figures stay
        # The text answers at once; the chart is drawn in the chart process and added to the same message.
        charted = await world.fake.wait_for_edit(
            today, lambda m: any(a.filename == "progress.png" for a in m.attachments), timeout=60
        )
        [chart] = charted.attachments
        assert chart.data.startswith(b"\x89PNG\r\n\x1a\n")
        assert charted.embed is not None and charted.embed["image"]["url"] == "attachment://progress.png"
        assert field(charted, "Accuracy").startswith("60%")
        # Recall is estimated a week ahead, so the missed topics are already the weakest on the day of answering.
        suggestion = re.fullmatch(r"`/practice topic:([a-z0-9_-]+)`", field(today, "Practise next"))
        assert suggestion is not None and suggestion[1] in MISSED_ONLY_TAGS

        offset_file.write_text(str(2 * DAY), encoding="ascii")
        later = await profile(world, bob)
        suggestion = re.fullmatch(r"`/practice topic:([a-z0-9_-]+)`", field(later, "Practise next"))
        assert suggestion is not None and suggestion[1] in MISSED_ONLY_TAGS
        assert set(tags_of(field(later, "Weakest topics"))) <= MISSED_ONLY_TAGS | {"autograd"}
        assert tags_of(field(later, "Strongest topics"))[0] in RIGHT_ONLY_TAGS

        other = await profile(world, carol, member=bob)  # anyone may look at someone's profile
        assert "bob's TorchQuiz profile" in other.text and "Practise next" in other.text
