"""Run members' PyTorch snippets in warm, isolated worker processes (docs/sandbox.md).

The bot uses a `Sandbox` (a local `SandboxPool`, or worker hosts behind Redis: `bot.sandbox.queue`) and reads
`Result`s; nothing here raises into a cog. The isolation layers live in
`bot.sandbox.isolation`; everything else (workers, protocol, pool, grading, CLI) beside this file.
"""

from bot.sandbox.limits import SandboxLimits
from bot.sandbox.pool import SandboxPool
from bot.sandbox.result import CaseResult, Outcome, Result
from bot.sandbox.transport import Sandbox

__all__ = ["CaseResult", "Outcome", "Result", "Sandbox", "SandboxLimits", "SandboxPool"]
