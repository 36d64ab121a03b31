"""The public API: enter() applies everything in order, fails closed, and probe() leaves the caller alone."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from bot.sandbox import isolation
from bot.sandbox.isolation import (
    IsolationError,
    IsolationPlan,
    enter,
    landlock,
    namespaces,
    probe,
    seccomp_filter,
)
from tests.sandbox.attacks._harness import run_in_child

ROOT = Path(__file__).resolve().parents[2]
# The task limit holds only under a non-root uid (root is exempt from RLIMIT_NPROC): as root it is not active.
TASKS = () if os.getuid() == 0 else ("task-limit",)
ALL_LAYERS = ("namespaces", "scratch-tmpfs", "rlimits", *TASKS, "capabilities", "landlock", "seccomp", "audit-hook")
NO_NAMESPACE_LAYERS = ("scratch-folder", "rlimits", *TASKS, "capabilities", "landlock", "seccomp", "audit-hook")
PROBED_LAYERS = ("rlimits", "task-limit", "capabilities", "landlock", "seccomp", "audit-hook")
NAMESPACES = any(layer.name == "namespaces" and layer.available for layer in probe(True))


def _plan(tmp_path: Path, use_namespaces: bool) -> IsolationPlan:
    scratch = tmp_path / "scratch"
    scratch.mkdir(mode=0o700, exist_ok=True)
    return IsolationPlan(
        scratch_dir=str(scratch), read_only_paths=isolation.default_read_only_paths(), use_namespaces=use_namespaces
    )


@pytest.mark.parametrize("use_namespaces", [True, False], ids=["namespaces", "no-namespaces"])
def test_enter_reports_layers_and_holds(tmp_path: Path, use_namespaces: bool) -> None:
    if use_namespaces and not NAMESPACES:
        pytest.skip("user namespaces refused by this host")
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t")
    secret.chmod(0o600)
    plan = _plan(tmp_path, use_namespaces)

    def body() -> dict[str, object]:
        layers = enter(plan)
        try:
            secret.read_text()
            read = "read"
        except PermissionError:
            read = "refused"
        Path("out.txt").write_text("in scratch")
        return {
            "layers": list(layers),
            "read": read,
            "cwd": os.getcwd(),
            "tmp": tempfile.gettempdir(),
            "pid1": os.getpid() == 1,
        }

    outcome = run_in_child(body)
    assert outcome.ok, outcome
    assert outcome.value == {
        "layers": list(ALL_LAYERS if use_namespaces else NO_NAMESPACE_LAYERS),
        "read": "refused",
        "cwd": plan.scratch_dir,
        "tmp": plan.scratch_dir,
        "pid1": use_namespaces,
    }
    scratch_files = sorted(path.name for path in Path(plan.scratch_dir).iterdir())
    assert scratch_files == ([] if use_namespaces else ["out.txt"])  # the tmpfs vanished with the run


@pytest.mark.parametrize("use_namespaces", [True, False], ids=["namespaces", "no-namespaces"])
@pytest.mark.parametrize("broken", ["landlock", "seccomp"])
def test_a_failing_required_layer_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str, use_namespaces: bool
) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        raise OSError(38, f"{broken} refused by the test")

    if broken == "landlock":
        monkeypatch.setattr(landlock, "restrict", refuse)
    else:
        monkeypatch.setattr(seccomp_filter, "install", refuse)
    plan = _plan(tmp_path, use_namespaces)

    def body() -> str:
        try:
            enter(plan)
        except IsolationError as error:
            return str(error)
        return "entered"

    outcome = run_in_child(body)
    assert outcome.value == f"required layer '{broken}' failed: [Errno 38] {broken} refused by the test", outcome


def test_refused_user_namespace_falls_back_to_the_required_layers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hosts without unprivileged user namespaces (many containers) still get every required layer."""

    def refuse() -> None:
        raise namespaces.NamespacesUnavailable("user namespace refused: Operation not permitted")

    monkeypatch.setattr(namespaces, "enter_namespaces", refuse)
    plan = _plan(tmp_path, use_namespaces=True)
    outcome = run_in_child(lambda: list(enter(plan)))
    assert outcome.ok, outcome
    assert outcome.value == list(NO_NAMESPACE_LAYERS)
    layers = {layer.name: layer for layer in probe(True)}
    assert not layers["namespaces"].available
    assert layers["namespaces"].detail == "user namespace refused: Operation not permitted"


def _status_fields() -> dict[str, str]:
    with open("/proc/self/status", encoding="ascii") as status:
        return {key: value.strip() for key, value in (line.split(":", 1) for line in status)}


def test_probe_reports_every_layer_and_leaves_the_caller_untouched() -> None:
    before = _status_fields()
    cwd = os.getcwd()
    layers = probe(True)
    after = _status_fields()
    assert [layer.name for layer in layers][2:] == list(PROBED_LAYERS)
    required = {layer.name: layer for layer in layers if layer.required}
    assert set(required) == {"rlimits", "task-limit", "landlock", "seccomp"}
    # Root is exempt from RLIMIT_NPROC, so a root caller can never bound tasks itself: workers drop root first.
    root = os.getuid() == 0
    assert all(layer.available for layer in required.values() if not (root and layer.name == "task-limit")), layers
    assert required["task-limit"].available is not root, required["task-limit"]
    for field in ("NoNewPrivs", "Seccomp", "CapEff", "CapBnd", "Uid"):
        assert after[field] == before[field], field
    assert os.getcwd() == cwd
    assert len(Path("/etc/hostname").read_text()) > 0  # no Landlock domain on the caller


def test_probe_reports_a_broken_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(landlock, "abi_version", lambda: 0)
    layers = {layer.name: layer for layer in probe(False)}
    assert not layers["landlock"].available
    assert "not available" in layers["landlock"].detail
    assert layers["seccomp"].available


FUNCTIONAL = textwrap.dedent(
    """
    import os, sys, tempfile
    os.environ["OMP_NUM_THREADS"] = "1"
    import numpy as np
    import torch
    torch.set_num_threads(1)
    # The worker's warm-up: serial ops and one optimizer step (its first step imports torch._dynamo).
    model = torch.nn.Linear(2, 1)
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    from bot.sandbox.isolation import IsolationPlan, default_read_only_paths, enter
    SNIPPET = '''
    import numpy as np, torch, traceback
    x = torch.randn(4, 3, requires_grad=True)
    (x ** 2).sum().backward()
    net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    opt = torch.optim.Adam(net.parameters())
    for _ in range(3):
        opt.zero_grad(); net(torch.randn(5, 3)).pow(2).mean().backward(); opt.step()
    torch.save(net.state_dict(), "model.pt")
    net.load_state_dict(torch.load("model.pt"))
    assert torch.from_numpy(np.arange(6.0)).sum().item() == 15.0
    print(torch.nn.Conv2d(1, 2, 3)(torch.randn(1, 1, 8, 8)).shape, "ünïcødé ✓")
    try:
        1 / 0
    except ZeroDivisionError:
        traceback.print_exc()
    '''
    for use_namespaces in (True, False):
        scratch = tempfile.mkdtemp()
        pid = os.fork()
        if pid == 0:
            try:
                enter(IsolationPlan(scratch, default_read_only_paths(), use_namespaces=use_namespaces))
                exec(compile(SNIPPET, "<snippet>", "exec"), {})
                print("FUNCTIONAL-OK", flush=True)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(0)
        os.waitpid(pid, 0)
    """
)


def test_ordinary_torch_runs_under_every_layer() -> None:
    """In a fresh interpreter (the test process may have started torch threads, which a fork would inherit)."""
    completed = subprocess.run(
        [sys.executable, "-c", FUNCTIONAL], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.stdout.count("FUNCTIONAL-OK") == 2, completed.stdout + completed.stderr
    assert completed.stdout.count("ünïcødé ✓") == 2
    assert completed.stderr.count("ZeroDivisionError: division by zero") == 2
