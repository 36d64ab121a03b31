"""What a check run reports: named observations, encoded as plain data.

A `code` question's check runs in the member's process, after the member's code, and only *observes*::

    expect("gradient at a random point", square_grad(values))
    expect("loss after one step", train_step(model, optimizer, x, y), atol=1e-5)

Each call records one case: its name, the observed value as plain JSON data and the tolerances. Nothing in the
member's process decides whether a case passed: the same check runs on the pack's reference solution in another
run with the same ``seed``, and `verdict.py` compares the two lists outside both runs. So an observation is worth
exactly what the member's code computes; forging one means computing the right value, which is solving the task.

The encoding is never pickle: None, bool, int, float (nan and inf as strings), str, sequences (list, tuple,
torch.Size), dicts with str keys, torch tensors and numpy arrays as dtype + shape + raw bytes (base64), and
torch dtypes. Anything else is recorded as "unsupported" and fails its case. Sizes and depth are bounded so a
hostile value costs the member's own run, never the worker.
"""

from __future__ import annotations

import base64
import math
import random
from dataclasses import dataclass, field
from typing import Any

CHECK_FILENAME = "<check>"
MAX_DEPTH = 8
MAX_ITEMS = 10_000
"""Elements of one sequence or dict; a longer one is recorded as too large."""
MAX_ARRAY_BYTES = 1 << 20
MAX_NAME_CHARS = 200
MAX_STRING_CHARS = 10_000
MAX_CASES = 200

# Tensors whose dtype numpy cannot hold travel widened; the reported dtype stays the tensor's own.
_WIDENED = {"torch.bfloat16": "float32", "torch.complex32": "complex64"}


class TooLarge(Exception):
    """A value beyond the encoding bounds."""


def encode(value: Any, depth: int = 0) -> dict[str, Any]:
    """``value`` as tagged plain data (see the module docstring); never raises for a member's odd object."""
    try:
        return _encode(value, depth)
    except TooLarge as exc:
        return {"k": "unsupported", "type": f"a value too large to compare ({exc})"}
    except Exception as exc:  # a member's object may raise from __len__, __iter__, numpy() ...
        return {"k": "unsupported", "type": f"{type(value).__name__} ({type(exc).__name__} while reading it)"}


def _encode(value: Any, depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise TooLarge(f"nested deeper than {MAX_DEPTH}")
    import numpy as np
    import torch

    if value is None:
        return {"k": "none"}
    if isinstance(value, bool | np.bool_):
        return {"k": "bool", "v": bool(value)}
    if isinstance(value, int | np.integer):
        return {"k": "int", "v": int(value)}
    if isinstance(value, float | np.floating):
        return {"k": "float", "v": _float(float(value))}
    if isinstance(value, str):
        if len(value) > MAX_STRING_CHARS:
            raise TooLarge(f"a string of {len(value)} characters")
        return {"k": "str", "v": value}
    if isinstance(value, torch.dtype):
        return {"k": "dtype", "v": str(value)}
    if isinstance(value, torch.Tensor):
        return _array("tensor", value)
    if isinstance(value, np.ndarray):
        return _array("ndarray", value)
    if isinstance(value, list | tuple | torch.Size):
        if len(value) > MAX_ITEMS:
            raise TooLarge(f"a sequence of {len(value)} items")
        return {"k": "seq", "v": [_encode(item, depth + 1) for item in value]}
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise TooLarge(f"a dict of {len(value)} items")
        if not all(isinstance(key, str) for key in value):
            return {"k": "unsupported", "type": "dict with keys that are not strings"}
        return {"k": "dict", "v": [[key, _encode(value[key], depth + 1)] for key in sorted(value)]}
    return {"k": "unsupported", "type": type(value).__name__}


def _float(number: float) -> float | str:
    return number if math.isfinite(number) else repr(number)  # 'nan', 'inf', '-inf'


def _array(kind: str, value: Any) -> dict[str, Any]:
    import numpy as np
    import torch

    if isinstance(value, torch.Tensor):
        tensor = value.detach()
        if tensor.layout != torch.strided or tensor.device.type != "cpu":
            return {"k": "unsupported", "type": f"a {tensor.layout} tensor on {tensor.device}"}
        dtype = str(tensor.dtype)
        widened = _WIDENED.get(dtype)
        tensor = tensor.resolve_conj().resolve_neg()
        array = (tensor.to(getattr(torch, widened)) if widened else tensor).contiguous().numpy()
    else:
        if value.dtype.hasobject or value.dtype.fields is not None:
            return {"k": "unsupported", "type": f"a numpy array of dtype {value.dtype}"}
        dtype = str(value.dtype)
        array = np.ascontiguousarray(value)
    if array.nbytes > MAX_ARRAY_BYTES:
        raise TooLarge(f"an array of {array.nbytes} bytes")
    little = array.astype(array.dtype.newbyteorder("<"), copy=False)
    return {
        "k": kind,
        "dtype": dtype,
        "shape": list(array.shape),
        "storage": little.dtype.str,
        "data": base64.b64encode(little.tobytes()).decode("ascii"),
    }


@dataclass
class Observer:
    """Collects the observations of one check run; `expect` is what the check calls."""

    observations: list[dict[str, Any]] = field(default_factory=list)

    def expect(
        self, name: object, value: Any, expected: Any = None, *, atol: float | None = None, rtol: float | None = None
    ) -> None:
        """Record case ``name`` with the observed ``value``.

        ``expected`` is accepted and ignored, so checks written for the old in-process comparison still load: the
        expected value now always comes from the reference solution's run.
        """
        if len(self.observations) >= MAX_CASES:
            return
        self.observations.append(
            {
                "name": str(name)[:MAX_NAME_CHARS],
                "value": encode(value),
                "atol": _tolerance(atol),
                "rtol": _tolerance(rtol),
            }
        )


def _tolerance(value: float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def seed_everything(seed: int) -> None:
    """The global generators a check (and code it calls) might use, seeded the same in both runs."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def run_check(source: str, namespace: dict[str, Any], seed: int) -> tuple[list[dict[str, Any]], str | None]:
    """Run a check over the member's names; returns its observations and, if it stopped early, why.

    The check sees everything the member's code defined, but runs in a copy of that namespace: its own helper
    names (``g``, ``model``...) never replace a global that the member's functions look up when called.
    """
    import traceback

    observer = Observer()
    scope = {**namespace, "expect": observer.expect, "seed": seed}
    seed_everything(seed)
    stopped: str | None = None
    try:
        exec(compile(source, CHECK_FILENAME, "exec"), scope)  # the pack's own check code, by design
    except BaseException as exc:  # NameError when the member did not define what the check uses; even exit()
        stopped = traceback.format_exception_only(exc)[-1].strip()[:300]
    return observer.observations, stopped
