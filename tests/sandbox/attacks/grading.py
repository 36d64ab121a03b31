"""The second attack round: points without solving, and another member's run read from a later one.

Every case is played against the real pool and the real `Grader`, as a member would: a *grading* attack submits
code to a small `code` question whose check draws hidden inputs from the seed, and must not pass it; a *leak*
attack runs right after a victim's run on the same worker and searches everything a snippet can reach (the
objects `gc` knows, every frame, the malloc heap page by page through ``sbrk``/``mincore``/``string_at``, and
every descriptor) for the victim's source and output, and must find nothing. The same lists run in pytest (as
the user running the tests, namespaces on and off) and in ``run_suite.py`` as an unprivileged user.

Canaries are random per session; the attacks know only their shape (``LEAK`` + ``CANARY`` + 32 hex digits),
never their value, so a find is a real leak and never the attacker's own text.
"""

from __future__ import annotations

import re
import secrets
import textwrap
from dataclasses import dataclass

from bot.sandbox import Outcome, SandboxPool
from bot.sandbox.grader import Grade, Grader

CANARY = re.compile(r"LEAKCANARY[0-9a-f]{32}END")


def _code(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"


@dataclass(frozen=True)
class Question:
    """A small code question: double a tensor of seeded random values (and a marker in the reference)."""

    check: str
    solution: str
    marker: str

    @classmethod
    def make(cls) -> Question:
        marker = f"LEAKCANARY{secrets.token_hex(16)}END"
        check = _code("""
        import torch
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(5, generator=g)
        expect("doubles five hidden values", double(x))
        expect("doubles a hidden scalar", double(torch.tensor(float(seed % 1000))))
        expect("returns a new tensor", double(x) is not x)
        """)
        solution = f"import torch\n\n\ndef double(x):\n    # {marker}\n    return x * 2\n"
        return cls(check, solution, marker)


RIGHT = "def double(x):\n    return x + x\n"

# Each grading attack is a submission that must NOT pass the question.
GRADING_ATTACKS: dict[str, str] = {
    "os-exit-zero": "import os\nos._exit(0)\n",
    "sys-exit-zero": "import sys\nsys.exit(0)\n",
    "raise-system-exit-in-check": _code("""
    def double(x):
        raise SystemExit(0)
    """),
    "exit-from-a-thread-after-the-check-starts": _code("""
    import os, threading, time
    def double(x):
        threading.Timer(0.0, lambda: os._exit(0)).start()
        time.sleep(1)
        return x
    """),
    "monkeypatch-the-observer": _code("""
    import sys
    observe = sys.modules["bot.sandbox.observe"]
    observe.Observer.expect = lambda self, name, value, *a, **k: self.observations.append(
        {"name": str(name), "value": {"k": "bool", "v": True}, "atol": 1e9, "rtol": 1e9})
    def double(x):
        return x
    """),
    "monkeypatch-the-encoder": _code("""
    import sys
    sys.modules["bot.sandbox.observe"].encode = lambda value, depth=0: {"k": "none"}
    def double(x):
        return None
    """),
    "replace-run-check-in-the-runner": _code("""
    import sys
    runner = sys.modules["bot.sandbox.runner"]
    runner.run_check = lambda source, namespace, seed: ([], None)
    """),
    "forge-the-report-channel": _code("""
    import json, os, struct
    observations = [
        {"name": "doubles five hidden values", "value": {"k": "bool", "v": True}, "atol": 1e9, "rtol": 1e9},
        {"name": "doubles a hidden scalar", "value": {"k": "float", "v": 0.0}, "atol": 1e9, "rtol": 1e9},
        {"name": "returns a new tensor", "value": {"k": "bool", "v": True}, "atol": None, "rtol": None},
    ]
    body = json.dumps({"kind": "done", "status": "ok", "observations": observations}).encode()
    frame = b"\\x00TQ-REPORT\\x00" + struct.pack(">I", len(body)) + body
    for fd in range(3, 1100):
        try:
            os.write(fd, frame)
        except OSError:
            pass
    os._exit(0)
    """),
    "rewrite-the-report-after-the-check": _code("""
    import atexit, json, os, struct, threading, time
    def forge():
        time.sleep(0.2)
        body = json.dumps({"kind": "done", "status": "ok", "observations": []}).encode()
        frame = b"\\x00TQ-REPORT\\x00" + struct.pack(">I", len(body)) + body
        for fd in range(3, 1100):
            try:
                os.write(fd, frame)
            except OSError:
                pass
    threading.Thread(target=forge, daemon=True).start()
    def double(x):
        time.sleep(0.5)
        return x
    """),
    "take-the-expected-values-from-the-frames": _code("""
    import gc, sys
    found = []
    frame = sys._getframe()
    while frame is not None:
        found += [name for name in frame.f_locals if name in ("reference", "expected", "solution", "verdict")]
        frame = frame.f_back
    for obj in gc.get_objects():
        if isinstance(obj, dict) and ("reference" in obj or "solution" in obj):
            found.append("dict")
    print("found:", found)
    def double(x):
        return x * 3
    """),
    "hard-code-a-visible-example": _code("""
    import torch
    def double(x):
        return torch.tensor([2.0, 4.0, 6.0, 8.0, 10.0]) if x.dim() else torch.tensor(0.0)
    """),
}

# Searches everything a snippet can reach for a canary it does not know; prints what it found.
SEARCH = _code("""
import ctypes, gc, os, re, sys
shape = re.compile(("LEAK" + "CANARY") + "[0-9a-f]{32}END")
found = set()

def look(text):
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    if isinstance(text, str):
        found.update(shape.findall(text))

for obj in gc.get_objects():
    look(obj)
    for part in gc.get_referents(obj):
        look(part)
frame = sys._getframe()
while frame is not None:
    for value in list(frame.f_locals.values()):
        look(repr(value)[:100000])
    frame = frame.f_back
for module in list(sys.modules.values()):
    for value in list(getattr(module, "__dict__", {}).values()):
        look(value)

libc = ctypes.CDLL(None, use_errno=True)
libc.sbrk.restype = ctypes.c_void_p
libc.sbrk.argtypes = [ctypes.c_long]
libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
top = libc.sbrk(0)
chunk = 1 << 16
vector = (ctypes.c_ubyte * (chunk // 4096))()
address = max(top - (1 << 30), 0) // chunk * chunk
scanned = 0
carry = b""  # the end of the previous chunk, when it was mapped, so a canary across a boundary is still found
while address < top:
    if libc.mincore(ctypes.c_void_p(address), chunk, vector) == 0:
        data = ctypes.string_at(address, chunk)  # never past what mincore vouched for: that could be unmapped
        look(carry + data)
        carry = data[-64:]
        scanned += 1
    else:
        carry = b""
    address += chunk

for fd in range(1100):
    try:
        os.set_blocking(fd, False)
        look(os.read(fd, 1 << 20))
    except (OSError, ValueError):
        pass
proc = []
try:  # every mapping through /proc/self/mem, where the layers allow it (they do not)
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
        for line in maps:
            start, end = (int(part, 16) for part in line.split()[0].split("-"))
            try:
                mem.seek(start)
                look(mem.read(min(end - start, 1 << 26)))
            except OSError:
                pass
    proc.append("read")
except OSError as error:
    proc.append(type(error).__name__)
print("/proc/self:", proc)
print("scanned", scanned, "heap chunks")
print("found:", sorted(found))
""")


def victim_code(canary: str) -> str:
    """A long submission (well over malloc's small-object size) that prints its own canary too."""
    filler = "\n".join(f"# line {index}: {canary}" for index in range(40))
    return f"{filler}\nsecret = {canary!r}\nprint('my answer is', secret)\n"


@dataclass(frozen=True)
class LeakFindings:
    victim: str
    found_line: str


async def grade_attack(grader: Grader, question: Question, code: str) -> Grade:
    return await grader.grade(code, check=question.check, solution=question.solution, wall_seconds=5.0)


def assert_not_passed(name: str, grade: Grade, question: Question) -> None:
    assert not grade.refused, f"{name}: refused instead of graded: {grade.run.summary()}"
    assert not grade.question_broken, f"{name}: the reference failed: {grade.reason}"
    assert not grade.passed, f"{name}: passed without solving: {grade.cases}"
    assert len(grade.cases) == 3, f"{name}: every case of the question must be judged: {grade.cases}"
    output = grade.run.stdout + grade.run.stderr
    assert question.marker not in output, f"{name}: the reference solution reached the member"
    assert "found: []" in output or "found:" not in output, f"{name}: {output[-500:]}"


async def leak_attack(pool: SandboxPool, *, graded: bool, grader: Grader, question: Question) -> LeakFindings:
    """A victim's run, then the search on the same worker; returns what the search printed."""
    canary = f"LEAKCANARY{secrets.token_hex(16)}END"
    if graded:
        victim = await grader.grade(victim_code(canary) + RIGHT, check=question.check, solution=question.solution)
        assert victim.passed, victim.cases
    else:
        run = await pool.run(victim_code(canary))
        assert run.outcome is Outcome.OK and canary in run.stdout, run
    search = await pool.run(SEARCH)
    assert search.outcome is Outcome.OK, search.summary() + search.stderr[-500:]
    lines = [line for line in search.stdout.splitlines() if line.startswith("found:")]
    assert "scanned 0 heap chunks" not in search.stdout, "the heap scan read nothing: the attack is broken"
    return LeakFindings(canary, lines[-1] if lines else "")
