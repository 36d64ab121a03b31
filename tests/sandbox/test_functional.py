"""Ordinary PyTorch must keep working through the real pool with every layer on (docs/sandbox.md)."""

from __future__ import annotations

import textwrap

import pytest

from bot.sandbox import Outcome
from tests.sandbox.conftest import Runner

pytestmark = pytest.mark.asyncio(loop_scope="module")


def code(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"


async def test_autograd_prints_the_gradient(run: Runner) -> None:
    result = await run(
        code("""
        import torch
        x = torch.tensor(2.0, requires_grad=True)
        y = x ** 3
        z = y + 2 * x
        z.backward()
        print(x.grad.item())
        """)
    )
    assert result.outcome is Outcome.OK, result.stderr
    assert result.stdout == "14.0\n"
    assert result.summary().startswith("ok (")
    assert {"rlimits", "landlock", "seccomp"} <= set(result.layers)


async def test_a_small_training_loop_lowers_the_loss(run: Runner) -> None:
    result = await run(
        code("""
        import torch
        torch.manual_seed(0)
        x = torch.linspace(-1, 1, 64).unsqueeze(1)
        y = 3 * x + 0.5
        model = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        losses = []
        for _ in range(100):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        print(losses[0] > 10 * losses[-1])
        """)
    )
    assert result.outcome is Outcome.OK, result.stderr
    assert result.stdout == "True\n"


async def test_numpy_interop(run: Runner) -> None:
    result = await run(
        code("""
        import numpy as np, torch
        a = np.arange(6, dtype=np.float32).reshape(2, 3)
        t = torch.from_numpy(a) * 2
        print(t.numpy().sum(), np.asarray(t).dtype)
        """)
    )
    assert result.outcome is Outcome.OK, result.stderr
    assert result.stdout == "30.0 float32\n"


async def test_save_and_load_in_scratch(run: Runner) -> None:
    result = await run(
        code("""
        import os, torch
        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = torch.nn.Linear(2, 1)
        net = Net()
        torch.save(net.state_dict(), "weights.pt")
        torch.save(net, "whole.pt")  # pickles Net by reference to __main__
        restored = Net()
        restored.load_state_dict(torch.load("weights.pt"))
        whole = torch.load("whole.pt", weights_only=False)
        print(sorted(os.listdir(".")), torch.equal(whole.fc.weight, net.fc.weight))
        """)
    )
    assert result.outcome is Outcome.OK, result.stderr
    assert result.stdout == "['weights.pt', 'whole.pt'] True\n"


async def test_traceback_gives_error_with_last_line(run: Runner) -> None:
    result = await run(
        code("""
        import torch
        x = torch.tensor(3.0, requires_grad=True)
        y = x ** 2
        z = y.detach() + 1
        z.backward()
        """)
    )
    assert result.outcome is Outcome.ERROR
    assert result.error_line is not None
    assert result.error_line.startswith("RuntimeError: element 0 of tensors does not require grad")
    assert result.summary() == f"error: {result.error_line}"
    assert 'File "<snippet>", line 5, in <module>' in result.stderr
    assert "z.backward()" in result.stderr  # the member's source line is shown
    assert "bot/sandbox" not in result.stderr  # the sandbox's own frames are not


async def test_syntax_error_is_an_error(run: Runner) -> None:
    result = await run("print('unclosed'\n")
    assert result.outcome is Outcome.ERROR
    assert result.error_line is not None and result.error_line.startswith("SyntaxError")


async def test_unicode_output_and_separate_stderr(run: Runner) -> None:
    result = await run("import sys\nprint('∂z/∂x = 14 ✓ 🔥')\nprint('warn ≠', file=sys.stderr)\n")
    assert result.outcome is Outcome.OK
    assert result.stdout == "∂z/∂x = 14 ✓ 🔥\n"
    assert result.stderr == "warn ≠\n"


async def test_a_last_line_without_newline_is_kept(run: Runner) -> None:
    result = await run("import io, sys\nprint('partial', end='')\nsys.stdout = io.StringIO()\n")
    assert (result.outcome, result.stdout) == (Outcome.OK, "partial")


async def test_exit_and_input(run: Runner) -> None:
    assert (await run("import sys\nprint('bye')\nsys.exit()\n")).outcome is Outcome.OK
    failed = await run("import sys\nsys.exit(3)\n")
    assert (failed.outcome, failed.error_line) == (Outcome.ERROR, "SystemExit: 3")
    exited = await run("import os\nos._exit(4)\n")
    assert exited.outcome is Outcome.ERROR and exited.reason == "exited with status 4"
    no_input = await run("input('name? ')\n")
    assert no_input.error_line == "EOFError: EOF when reading a line"


async def test_runs_share_no_state(run: Runner) -> None:
    first = await run(
        code("""
        import builtins, torch
        open("leftover.txt", "w").write("secret")
        builtins.LEAK = 1
        torch.LEAK = 1
        counter = 41
        print(torch.rand(1).item())
        """)
    )
    second = await run(
        code("""
        import builtins, os, torch
        print(os.listdir("."), hasattr(builtins, "LEAK"), hasattr(torch, "LEAK"), "counter" in globals())
        print(torch.rand(1).item())
        """)
    )
    assert first.outcome is second.outcome is Outcome.OK, first.stderr + second.stderr
    listing, second_random = second.stdout.splitlines()
    assert listing == "[] False False False"
    assert second_random != first.stdout.strip()  # each run is seeded afresh, like a new interpreter


CHECKED_CODE = code("""
import torch
x = torch.tensor(2.0, requires_grad=True)
(x ** 3 + 2 * x).backward()
""")


async def test_a_check_observes_plain_data_with_its_seed(run: Runner) -> None:
    check = code("""
    expect("gradient", x.grad)
    expect("value", x.item(), atol=0.5)
    expect("seeded", torch.rand(2, generator=torch.Generator().manual_seed(seed)))
    """)
    first = await run(CHECKED_CODE, check=check, seed=5)
    again = await run(CHECKED_CODE, check=check, seed=5)
    other = await run(CHECKED_CODE, check=check, seed=6)
    assert first.outcome is Outcome.OK, first.stderr
    assert first.observations is not None and first.check_stopped is None
    assert [(case["name"], case["atol"]) for case in first.observations] == [
        ("gradient", None),
        ("value", 0.5),
        ("seeded", None),
    ]
    assert first.observations[0]["value"]["dtype"] == "torch.float32"
    assert first.observations == again.observations
    assert other.observations is not None and first.observations[2] != other.observations[2]


async def test_a_check_that_stops_says_where(run: Runner) -> None:
    missing = await run("y = 1\n", check="expect('y', y)\nexpect('f(2)', f(2))\n")
    assert missing.outcome is Outcome.OK
    assert [case["name"] for case in missing.observations or ()] == ["y"]
    assert missing.check_stopped == "NameError: name 'f' is not defined"
    broken = await run("raise ValueError('nope')\n", check="expect('never', 1)\n")
    assert broken.outcome is Outcome.ERROR and broken.observations is None
