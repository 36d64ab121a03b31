"""What a test holds after injecting an interaction: :class:`FakeInteraction`.

It mirrors Discord's bookkeeping for one interaction: whether it was acknowledged, by which callback, which
message is its "original response", and which follow-ups went through its token. The REST layer fills it in;
tests await it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .models import FakeCallback, FakeMessage, FakeUser, JsonDict

if TYPE_CHECKING:
    from .state import FakeState


@dataclass(eq=False)
class FakeInteraction:
    """One interaction sent to the bot over the gateway.

    ``created_at`` is the fake clock's reading when INTERACTION_CREATE was sent; the 3 s response deadline
    and the 15 min token lifetime count from it.
    """

    id: int
    token: str
    type: int
    user: FakeUser
    channel_id: int
    guild_id: int | None
    created_at: float
    payload: JsonDict
    _state: FakeState = field(repr=False)
    message: FakeMessage | None = None
    """For a component click: the message the component was on."""
    callback: FakeCallback | None = None
    original: FakeMessage | None = None
    """The "original response" message: created by callback 4/5, or the clicked message after 6/7."""
    followups: list[FakeMessage] = field(default_factory=list)
    """Messages returned by follow-up POSTs. After a deferred (type 5) response the first follow-up fills the
    loading message, as Discord does, so it is the same object as ``original``."""
    modal: JsonDict | None = None
    """The modal the bot answered with (callback type 9), if any."""
    modal_submitted: bool = False

    @property
    def acknowledged(self) -> bool:
        return self.callback is not None

    async def response(self, timeout: float = 5.0) -> FakeCallback:  # noqa: ASYNC109 - API asked for by tests
        """Wait for the bot's callback (type + data + the message it made, if any)."""
        return await self._state.wait_until(lambda: self.callback, timeout, f"a callback to interaction {self.id}")

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[FakeMessage]:  # noqa: ASYNC109
        """Wait until at least ``count`` follow-ups exist; return them all."""
        return await self._state.wait_until(
            lambda: list(self.followups) if len(self.followups) >= count else None,
            timeout,
            f"{count} follow-up(s) to interaction {self.id} (have {len(self.followups)})",
        )

    async def wait_original(self, timeout: float = 5.0, *, filled: bool = True) -> FakeMessage:  # noqa: ASYNC109
        """Wait for the original response message; with ``filled``, also until it is no longer "thinking"."""

        def check() -> FakeMessage | None:
            original = self.original
            if original is None or (filled and original.loading):
                return None
            return original

        return await self._state.wait_until(check, timeout, f"the original response of interaction {self.id}")

    def owns(self, message: FakeMessage) -> bool:
        """Whether this interaction's token may edit/delete ``message``."""
        return message is self.original or message is self.message or any(m is message for m in self.followups)
