"""How much one sandbox run, one member and the whole pool may use.

Defaults are the ones `docs/sandbox.md` states; `Settings.sandbox_limits` builds one from the bot's settings.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

# The environment a worker starts with for its thread pools (the pool passes these and nothing of the bot's).
THREAD_VARIABLES = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_WAIT_POLICY": "PASSIVE",  # busy-waiting OpenMP threads collapsed throughput 30x on two cores
}

MIB = 2**20
KIB = 2**10


@dataclass(frozen=True)
class SandboxLimits:
    """Per-run budgets (first block) and pool admission rules (second block)."""

    wall_seconds: float = 5.0
    cpu_seconds: int = 5
    memory_mb: int = 512
    """Address space a run may add on top of the worker's own size (RLIMIT_AS is set relative to VmSize)."""
    output_bytes: int = 64 * KIB
    """stdout and stderr together; past this the run is killed, so nobody ever buffers more."""
    file_size_mb: int = 16
    scratch_mb: int = 32
    open_files: int = 64
    torch_threads: int = 1

    workers: int = 2
    queue_size: int = 8
    """Runs that may wait for a free worker; one more is refused as BUSY with a retry estimate."""
    per_member: int = 1
    """Runs one member may have queued or running at once."""
    cooldown_seconds: float = 3.0
    use_namespaces: bool = True
    """Use user/PID/network/mount namespaces when the host allows them (optional layer)."""
    user: str = "nobody"
    """Who the workers run as when the bot runs as root (root is exempt from the task limit)."""

    def __post_init__(self) -> None:
        # A zero or negative budget is always a configuration mistake; say which key, once, at start-up.
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool | str):
                continue
            minimum = 0 if item.name in {"queue_size", "cooldown_seconds"} else 1e-9
            if value < minimum:
                raise ValueError(f"sandbox limit {item.name} must be positive, got {value!r}")

    @property
    def memory_bytes(self) -> int:
        return self.memory_mb * MIB

    @property
    def file_size_bytes(self) -> int:
        return self.file_size_mb * MIB

    @property
    def scratch_bytes(self) -> int:
        return self.scratch_mb * MIB
