"""A member playing `/challenge` through the fake: slash command, clicks, and the messages that come back."""

from __future__ import annotations

from tests.fakediscord import FakeCallback, FakeDiscord, FakeInteraction, FakeMessage, FakeUser


class Player:
    def __init__(self, fake: FakeDiscord, user: FakeUser, channel_id: int) -> None:
        self.fake = fake
        self.user = user
        self.channel_id = channel_id
        self.problem: FakeMessage | None = None
        self.last: FakeInteraction | None = None

    async def start(self, pack: str = "autograd-basics") -> FakeCallback:
        interaction = await self.fake.slash(self.user, "challenge", {"pack": pack}, channel_id=self.channel_id)
        callback = await interaction.response()
        self.problem = callback.message
        self.last = interaction
        return callback

    def custom_id(self, label: str, message: FakeMessage | None = None) -> str:
        message = message or self.problem
        assert message is not None
        for button in message.buttons:
            if button.get("label") == label:
                return str(button["custom_id"])
        raise AssertionError(f"no button {label!r} on the problem: {[b.get('label') for b in message.buttons]}")

    async def click(self, label: str, *, force: bool = False) -> tuple[FakeInteraction, FakeCallback]:
        assert self.problem is not None
        interaction = await self.fake.click(self.user, self.problem, self.custom_id(label), force=force)
        return interaction, await interaction.response()

    async def next_message(self, interaction: FakeInteraction | None = None) -> FakeMessage:
        """The follow-up that comes after a problem closed: the next problem or the summary."""
        source = interaction or self.last
        assert source is not None
        before = len(source.followups)
        [message] = (await source.wait_followups(before + 1, timeout=10))[before:]
        if message.buttons:
            self.problem = message
        if interaction is not None:
            self.last = interaction
        return message

    async def answer_and_advance(self, label: str) -> tuple[FakeCallback, FakeMessage]:
        """Click a final answer: the problem is revealed in place and a follow-up comes next."""
        interaction, callback = await self.click(label)
        assert callback.type == 7, f"expected the problem to be revealed, got {callback.type}: {callback.data}"
        return callback, await self.next_message(interaction)
