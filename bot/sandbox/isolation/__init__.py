"""Isolation layers applied in a sandbox runner before its job (and the member's snippet) arrives.

The zygote forks one runner per run; the runner sets up its pipes and calls :func:`enter`, which applies the layers
of ``docs/sandbox.md`` in this order (each needs the one before it):

====================  ========  =====================================================================
layer name            required  what it stops
====================  ========  =====================================================================
``namespaces``        no        network, signals and ``/proc`` outside; snippet is PID 1 of its own ns
``scratch-tmpfs``     no        disk fill and leftovers (a size-limited tmpfs over the scratch folder);
                                without a mount namespace the layer is ``scratch-folder`` instead
``rlimits``           yes       CPU spin, memory bombs, big files, fd exhaustion, core dumps
``task-limit``        yes       fork and thread bombs (RLIMIT_NPROC under a non-zero uid, see tasks.py)
``capabilities``      no        privileged calls (also ``no_new_privs``, which Landlock/seccomp need)
``landlock``          yes       files outside scratch and read-only paths, TCP, signals to the bot
``seccomp``           yes       exec, processes, sockets, ptrace, namespaces, kernel attack surface
``audit-hook``        no        nothing new: friendly errors for subprocess, socket, open
====================  ========  =====================================================================

Mounts come before Landlock because a Landlock-restricted process may not mount; seccomp comes after Landlock
because the filter forbids nothing Landlock setup needs but is the last thing that could fail loudly.

Two kernel rules the snippet lives with when it is PID 1 of its namespace: a signal it sends itself whose action
is the default is dropped (even ``SIGKILL``; hence the ``SIGXCPU`` handler), and ``os.abort()`` therefore ends
in ``SIGSEGV`` rather than ``SIGABRT``. Kernel-forced signals (a real segfault, the CPU hard limit, the
parent-death ``SIGKILL``) are delivered as usual.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass

from bot.sandbox.isolation import audit, capabilities, landlock, namespaces, rlimits, seccomp_filter, tasks

__all__ = ["LAYER_NAMES", "IsolationError", "IsolationPlan", "LayerStatus", "enter", "probe"]

#: Stable names shown in results and by ``python -m bot doctor``.
LAYER_NAMES = (
    "namespaces",
    "scratch-tmpfs",
    "scratch-folder",
    "rlimits",
    "task-limit",
    "capabilities",
    "landlock",
    "seccomp",
    "audit-hook",
)
REQUIRED_LAYERS = frozenset({"rlimits", "task-limit", "landlock", "seccomp"})


@dataclass(frozen=True)
class IsolationPlan:
    """What the child may touch and how much it may use."""

    scratch_dir: str  # per-run folder the worker created (0700); snippet's cwd; a tmpfs mount with namespaces
    read_only_paths: tuple[str, ...]  # Python prefix, site-packages, the project's package dir if needed
    cpu_seconds: int | None = 5  # None: the runner sets its budget later, when its job arrives
    memory_bytes: int | None = 512 * 2**20  # budget ABOVE current VmSize (RLIMIT_AS is relative)
    file_size_bytes: int = 16 * 2**20
    scratch_bytes: int = 32 * 2**20
    open_files: int = 64
    max_processes: int = 16  # tasks (processes and threads) a run may have; see tasks.py
    use_namespaces: bool = True  # False: skip namespaces even if available


class IsolationError(RuntimeError):
    """A required layer could not be applied; the child must not run the snippet."""


@dataclass(frozen=True)
class LayerStatus:
    """One layer as it was applied (or not)."""

    name: str  # one of LAYER_NAMES
    required: bool
    available: bool
    detail: str  # e.g. "Landlock ABI 7", or the reason it is unavailable


def _status(name: str, available: bool, detail: str) -> LayerStatus:
    return LayerStatus(name, name in REQUIRED_LAYERS, available, detail)


class _Report:
    """Collects each layer's outcome; in strict mode a failed required layer stops everything at once."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.layers: list[LayerStatus] = []

    def ok(self, name: str, detail: str) -> None:
        self.layers.append(_status(name, True, detail))

    def unavailable(self, name: str, detail: str) -> None:
        self.layers.append(_status(name, False, detail))

    def failed(self, name: str, error: Exception) -> None:
        self.unavailable(name, str(error) or type(error).__name__)
        if self.strict and name in REQUIRED_LAYERS:
            raise IsolationError(f"required layer {name!r} failed: {error}") from error


def _namespaces(plan: IsolationPlan, report: _Report) -> bool:
    """Namespaces (and the PID-namespace fork); True when the child is now PID 1 of a fresh user namespace."""
    if not plan.use_namespaces:
        namespaces.new_session()
        report.unavailable("namespaces", "switched off by the plan")
        return False
    try:
        namespaces.enter_namespaces()
    except namespaces.NamespacesUnavailable as error:
        namespaces.new_session()
        report.unavailable("namespaces", str(error))
        return False
    except OSError as error:
        raise IsolationError(f"namespaces half set up: {error}") from error
    namespaces.fork_into_pid_namespace()  # from here on this is PID 1 of the new namespace
    report.ok("namespaces", "user, net, ipc, uts, mount, cgroup, pid")
    return True


def _scratch(plan: IsolationPlan, scratch: str, in_user_ns: bool, report: _Report) -> None:
    """A tmpfs over the scratch folder when we own a mount namespace, else the plain per-run folder."""
    if in_user_ns:
        try:
            namespaces.mount_scratch(scratch, plan.scratch_bytes)
        except OSError as error:
            report.unavailable("scratch-tmpfs", str(error))
        else:
            proc = "fresh /proc" if namespaces.mount_proc() else "host /proc kept (Landlock hides it)"
            report.ok("scratch-tmpfs", f"{plan.scratch_bytes >> 20} MiB tmpfs; {proc}")
    if not any(layer.name == "scratch-tmpfs" and layer.available for layer in report.layers):
        report.ok("scratch-folder", "per-run folder (size bounded only per file)")
    try:
        os.chdir(scratch)  # after the mount: the old cwd would still point at the folder beneath it
    except OSError as error:
        raise IsolationError(f"scratch folder unusable: {error}") from error
    # The only writable place is also the temporary folder. ``tempfile`` caches its choice, and the worker made
    # its own folders with it, so the cached "/tmp" would otherwise make every TemporaryFile() fail.
    os.environ["TMPDIR"] = scratch
    tempfile.tempdir = scratch


def _apply(plan: IsolationPlan, *, strict: bool) -> list[LayerStatus]:
    """Apply every layer in order and record each outcome.

    ``strict`` (the real path) raises :class:`IsolationError` at the first required layer that fails, before
    anything later runs; the probe passes ``strict=False`` to learn about every layer.
    """
    report = _Report(strict)
    scratch = os.path.realpath(plan.scratch_dir)
    host_uid = os.getuid()  # before the user namespace, inside which every uid reads as 0
    in_user_ns = _namespaces(plan, report)
    _scratch(plan, scratch, in_user_ns, report)
    bound = tasks.choose_bound(host_uid, plan.max_processes, fresh_user_namespace=in_user_ns)
    try:
        detail = rlimits.apply_static(
            file_size_bytes=plan.file_size_bytes, open_files=plan.open_files, max_tasks=bound.limit
        )
        if plan.cpu_seconds is not None and plan.memory_bytes is not None:
            budget = rlimits.apply_budget(cpu_seconds=plan.cpu_seconds, memory_bytes=plan.memory_bytes)
            detail = f"{budget}, {detail}"
        report.ok("rlimits", detail)
    except (OSError, ValueError) as error:
        report.failed("rlimits", error)
    if bound.limit is not None and any(layer.name == "rlimits" and layer.available for layer in report.layers):
        report.ok("task-limit", bound.detail)
    else:
        report.unavailable("task-limit", bound.detail)
    try:
        report.ok("capabilities", capabilities.drop_all())
    except OSError as error:
        report.failed("capabilities", error)
    read_only = (*plan.read_only_paths, *landlock.SYSTEM_READ_ONLY_PATHS)
    try:
        capabilities.set_no_new_privs()  # Landlock and seccomp refuse unprivileged callers without it
        report.ok("landlock", landlock.restrict(read_only, [scratch]))
    except OSError as error:
        report.failed("landlock", error)
    try:
        report.ok("seccomp", seccomp_filter.install())
    except OSError as error:
        report.failed("seccomp", error)
    report.ok("audit-hook", audit.install(scratch, read_only))
    return report.layers


def enter(plan: IsolationPlan) -> tuple[str, ...]:
    """Apply every layer in the forked runner (``docs/sandbox.md`` order); returns the names of the active layers.

    With namespaces this forks once more for the PID namespace. The process that called ``enter`` becomes a
    relay: it waits for the snippet process and never returns; when the snippet exits with code *n* the relay
    exits with *n*, when a signal *s* kills it the relay kills itself with *s* (so ``waitpid`` in the worker
    reads the same status as without namespaces; ``128 + s`` only if the re-raise failed, 125 if the relay
    itself failed). The snippet process (PID 1 of its namespace, ``PR_SET_PDEATHSIG = SIGKILL``) returns.
    Killing the relay therefore kills the snippet.

    Call it with stdout/stderr already redirected and every descriptor the snippet must not use closed: the
    layers restrict *opening* things, not descriptors that are already open.

    Raises :class:`IsolationError` when a required layer fails; the caller must then ``os._exit`` without
    running the snippet.
    """
    report = _apply(plan, strict=True)
    return tuple(layer.name for layer in report if layer.available)


def probe(use_namespaces: bool = True) -> list[LayerStatus]:
    """Check each layer in a throwaway forked child (the calling process is not changed)."""
    from bot.sandbox.isolation.probe import run_probe

    return run_probe(use_namespaces, _apply)


def default_read_only_paths() -> tuple[str, ...]:
    """The interpreter's prefixes (stdlib, site-packages live beneath them) for callers without a better list."""
    return tuple(sorted({sys.prefix, sys.base_prefix, sys.exec_prefix}))
