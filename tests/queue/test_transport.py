"""Choosing the transport: TORCHQUIZ_SANDBOX_QUEUE empty means local workers, a Redis URL means worker hosts."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from bot.sandbox import Sandbox, SandboxPool
from bot.sandbox.queue import QueueSandbox
from bot.settings import Settings, describe_settings_error
from bot.startup import make_sandbox


def settings(**values: object) -> Settings:
    return Settings(token=SecretStr("offline"), **values)  # type: ignore[arg-type]


async def test_an_empty_queue_setting_keeps_the_local_pool() -> None:
    sandbox: Sandbox = make_sandbox(settings(sandbox_queue=""))
    assert isinstance(sandbox, SandboxPool)
    assert sandbox.unavailable_reason == "the sandbox has not been started"


async def test_a_redis_url_sends_code_to_worker_hosts() -> None:
    chosen = settings(sandbox_queue="redis://queue.internal:6380/2", sandbox_queue_wait_seconds=7, sandbox_workers=3)
    sandbox: Sandbox = make_sandbox(chosen)
    assert isinstance(sandbox, QueueSandbox)
    assert (sandbox.url, sandbox.queue_wait, sandbox.limits.workers) == ("redis://queue.internal:6380/2", 7, 3)
    assert sandbox.unavailable_reason == "the sandbox has not been started"
    await sandbox.aclose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://queue:6379", "must be a Redis URL (redis://host:port/db, rediss://... or unix:///path), or empty"),
        ("redis://queue:port/0", "is not a usable Redis URL: Port could not be cast to integer value as 'port'"),
    ],
)
def test_a_bad_queue_url_is_named_in_one_line(url: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(sandbox_queue=url)
    assert describe_settings_error(caught.value) == f"TORCHQUIZ_SANDBOX_QUEUE is invalid: Value error, {message}"
