"""Members' code on worker hosts behind Redis (docs/queue.md).

`QueueSandbox` (`client.py`) is the bot's `Sandbox` when `TORCHQUIZ_SANDBOX_QUEUE` names a Redis server;
`SandboxHost` (`host.py`, `python -m bot sandbox serve`) runs a local `SandboxPool` and takes jobs from it.
`wire.py` holds what both sides agree on.
"""

from bot.sandbox.queue.client import QueueSandbox

__all__ = ["QueueSandbox"]
