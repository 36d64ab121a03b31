"""``probe()``: apply every layer in a throwaway child and report what held.

The probe forks, applies the layers with ``strict=False`` (so one failure does not hide the others), then checks
two promises from the inside with ``ctypes`` (which no audit hook sees): a file beside the scratch folder must be
unreadable (Landlock) and ``socket(2)`` must fail with ``EPERM`` (seccomp). The child reports one JSON line on a
pipe and exits; the calling process only forks, reads and reaps, so it is left as it was.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.sandbox.isolation import IsolationPlan, LayerStatus

__all__ = ["run_probe"]

ApplyFunction = Callable[..., "list[LayerStatus]"]

#: How long the parent waits for the probe child's report (it normally takes well under 100 ms).
PROBE_TIMEOUT_SECONDS = 10.0
AF_INET = 2
SOCK_STREAM = 1


def _verify(report: list[LayerStatus], outside: str) -> list[LayerStatus]:
    """Replace the Landlock and seccomp entries' detail with what the checks from inside found."""
    from bot.sandbox.isolation import LayerStatus

    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.open(outside.encode(), os.O_RDONLY)
    landlock_holds = fd < 0 and ctypes.get_errno() == errno.EACCES
    sock = libc.socket(AF_INET, SOCK_STREAM, 0)
    seccomp_holds = sock < 0 and ctypes.get_errno() == errno.EPERM
    checked = {"landlock": landlock_holds, "seccomp": seccomp_holds}
    result = []
    for layer in report:
        if layer.name in checked and layer.available:
            holds = checked[layer.name]
            verdict = "verified" if holds else "NOT holding: check from inside succeeded"
            result.append(LayerStatus(layer.name, layer.required, holds, f"{layer.detail} ({verdict})"))
        else:
            result.append(layer)
    return result


def _child(plan: IsolationPlan, outside: str, write_fd: int, apply: ApplyFunction) -> None:
    """Body of the probe child; never returns."""
    code = 1
    try:
        report = _verify(apply(plan, strict=False), outside)
        payload = json.dumps([layer.__dict__ for layer in report]) + "\n"
        os.write(write_fd, payload.encode())
        code = 0
    except BaseException as error:  # nothing may escape into a copy of the caller's stack
        os.write(write_fd, (json.dumps({"error": repr(error)}) + "\n").encode())
    finally:
        os._exit(code)


def _read_until_eof(read_fd: int, pid: int) -> bytes:
    """Read the child's report; kill the child if it has not finished within ``PROBE_TIMEOUT_SECONDS``."""
    deadline = time.monotonic() + PROBE_TIMEOUT_SECONDS
    poller = select.poll()
    poller.register(read_fd, select.POLLIN)
    chunks: list[bytes] = []
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            if not poller.poll(remaining * 1000):
                continue
            chunk = os.read(read_fd, 65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
        os.kill(pid, signal.SIGKILL)
        return b""
    finally:
        os.close(read_fd)


def run_probe(use_namespaces: bool, apply: ApplyFunction) -> list[LayerStatus]:
    """Fork, apply, report; see the module docstring."""
    from bot.sandbox.isolation import LAYER_NAMES, REQUIRED_LAYERS, IsolationPlan, LayerStatus

    base = tempfile.mkdtemp(prefix="torchquiz-probe-")
    try:
        scratch = os.path.join(base, "scratch")
        os.mkdir(scratch, 0o700)
        outside = os.path.join(base, "outside")
        with open(outside, "w", encoding="ascii") as handle:
            handle.write("probe")
        plan = IsolationPlan(
            scratch_dir=scratch,
            read_only_paths=tuple(sorted({sys.prefix, sys.base_prefix})),
            use_namespaces=use_namespaces,
        )
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _child(plan, outside, write_fd, apply)
        os.close(write_fd)
        raw = _read_until_eof(read_fd, pid)
        _, status = os.waitpid(pid, 0)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    try:
        decoded = json.loads(raw.decode() or "null")
    except ValueError:
        decoded = None
    if isinstance(decoded, list):
        return [LayerStatus(**entry) for entry in decoded]
    reason = decoded.get("error") if isinstance(decoded, dict) else f"probe child ended with status {status:#x}"
    return [LayerStatus(name, name in REQUIRED_LAYERS, False, f"probe failed: {reason}") for name in LAYER_NAMES]
