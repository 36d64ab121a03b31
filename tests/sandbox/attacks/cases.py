"""The attack list: every case tries to break one promise of SANDBOX.md and says how it must fail.

Shared by ``tests/sandbox/test_attacks.py`` (one pytest case per attack, as root) and ``run_suite.py`` (the same
list in a separate, unprivileged process). A case is a snippet template plus an expectation; templates name
their targets as ``__SECRET__``-style placeholders that :meth:`Targets.render` fills in.

Snippets that go through Python's front door (``open``, ``socket``, ``subprocess``) meet the audit hook first;
the ``-raw`` twins use ``ctypes`` so that only the kernel layers (Landlock, seccomp, rlimits, namespaces) stand
in the way. Each expectation checks the outcome, the error line, that nothing secret reached the output, and,
where the promise is about the outside world, the outside world (listeners silent, no signal received, no file
created, the worker still the same process).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import sqlite3
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.sandbox import Outcome, Result

ROOT = Path(__file__).resolve().parents[3]
OUTPUT_CAP = 64 * 1024
SIGSYS = int(signal.SIGSYS)
SIGSEGV = int(signal.SIGSEGV)


@dataclass
class Targets:
    """Everything the attacks aim at, created by the process playing the bot."""

    base: Path
    secret_text: str = field(default_factory=lambda: "secret-" + secrets.token_hex(8))
    database_text: str = field(default_factory=lambda: "member-row-" + secrets.token_hex(8))
    token: str = field(default_factory=lambda: "TOKEN." + secrets.token_hex(16))
    nonce: str = field(default_factory=lambda: secrets.token_hex(4))
    received: list[int] = field(default_factory=list)
    sockets: dict[str, socket.socket] = field(default_factory=dict)

    @property
    def secret(self) -> Path:
        return self.base / "secret.env"

    @property
    def database(self) -> Path:
        return self.base / "torchquiz.db"

    def planted(self) -> dict[str, Path]:
        """Files an attack tries to create outside its scratch folder."""
        name = f"torchquiz-attack-{self.nonce}"
        return {
            "project": ROOT / name,
            "tmp": Path("/tmp") / name,
            "dev-shm": Path("/dev/shm") / name,
            "var-tmp": Path("/var/tmp") / name,
            "tmp-raw": Path("/tmp") / f"{name}-raw",
        }

    def render(self, code: str, worker_pid: int) -> str:
        tcp_port = self.sockets["tcp"].getsockname()[1]
        udp_port = self.sockets["udp"].getsockname()[1]
        values = {
            "__SECRET__": str(self.secret),
            "__DB__": str(self.database),
            "__BOT__": str(os.getpid()),
            "__WORKER__": str(worker_pid),
            "__TCP__": str(tcp_port),
            "__UDP__": str(udp_port),
            "__UNIX__": self.unix_name,
            "__NONCE__": self.nonce,
            **{f"__PATH_{key.upper().replace('-', '_')}__": str(path) for key, path in self.planted().items()},
        }
        for placeholder, value in values.items():
            code = code.replace(placeholder, value)
        return code

    @property
    def unix_name(self) -> str:
        return f"torchquiz-attack-{self.nonce}"

    # Checks on the outside world -------------------------------------------------------------------------

    def assert_listeners_silent(self) -> None:
        for name in ("tcp", "unix"):
            with contextlib.suppress(BlockingIOError):
                connection, _ = self.sockets[name].accept()
                connection.close()
                raise AssertionError(f"the {name} listener accepted a connection")
        with contextlib.suppress(BlockingIOError):
            data = self.sockets["udp"].recv(64)
            raise AssertionError(f"the UDP listener received {data!r}")

    def assert_no_signal_received(self) -> None:
        assert self.received == [], f"the bot received signals {self.received}"

    def assert_nothing_planted(self) -> None:
        existing = [str(path) for path in self.planted().values() if path.exists()]
        assert existing == [], f"created outside scratch: {existing}"


@contextlib.contextmanager
def open_targets(base: Path) -> Iterator[Targets]:
    """Create the secret, the database, the listeners and the signal handlers; undo all of it afterwards.

    The token goes into this process's environment and memory *before* any pool starts, as it would in the bot.
    """
    targets = Targets(base)
    targets.secret.write_text(f"DISCORD_TOKEN={targets.token}\n{targets.secret_text}\n")
    targets.secret.chmod(0o600)
    with contextlib.closing(sqlite3.connect(targets.database)) as db:
        db.execute("create table members (name text)")
        db.execute("insert into members values (?)", (targets.database_text,))
        db.commit()
    targets.database.chmod(0o600)
    previous_env = os.environ.get("TORCHQUIZ_TEST_TOKEN")
    os.environ["TORCHQUIZ_TEST_TOKEN"] = targets.token
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind("\0" + targets.unix_name)
    unix.listen(8)
    targets.sockets = {"tcp": tcp, "udp": udp, "unix": unix}
    for sock in targets.sockets.values():
        sock.setblocking(False)
    handlers = {
        signum: signal.signal(signum, lambda number, frame: targets.received.append(number))
        for signum in (signal.SIGUSR1, signal.SIGWINCH)
    }
    try:
        yield targets
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        for sock in targets.sockets.values():
            sock.close()
        for path in targets.planted().values():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        if previous_env is None:
            os.environ.pop("TORCHQUIZ_TEST_TOKEN", None)
        else:
            os.environ["TORCHQUIZ_TEST_TOKEN"] = previous_env


@dataclass(frozen=True)
class Context:
    """What an expectation may look at besides the result."""

    targets: Targets
    namespaces: bool
    workers_before: tuple[int, ...]
    workers_after: tuple[int, ...]


Expectation = Callable[[Result, Context], None]


@dataclass(frozen=True)
class Attack:
    name: str  # the promise it tries to break
    code: str
    expect: Expectation
    wall_seconds: float | None = None
    then: str | None = None  # a second run whose result is the one checked (state leaking between runs)


# Snippet building blocks ---------------------------------------------------------------------------------

RAW = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def check(result):
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result
def raw(number, *args):
    return check(libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args]))
def raw_open(path, flags=os.O_RDONLY):
    return check(libc.open(path.encode(), flags, 0o600))
"""

MACHINE_CODE = """
import ctypes, mmap
page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(CODE)
print("result", ctypes.CFUNCTYPE(ctypes.c_long)(ctypes.addressof(ctypes.c_char.from_buffer(page)))())
"""

SPIN = "while True:\n    pass\n"


# Expectation helpers --------------------------------------------------------------------------------------


def _output(result: Result) -> str:
    return result.stdout + result.stderr


def _no_secrets(result: Result, ctx: Context) -> None:
    for needle in (ctx.targets.secret_text, ctx.targets.database_text, ctx.targets.token):
        assert needle not in _output(result), f"{needle!r} reached the output"


def process_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie (a killed but unreaped worker would still answer kill(pid, 0))."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _secret_mode_kept(ctx: Context) -> None:
    for path in (ctx.targets.secret, ctx.targets.database):
        info = path.stat()
        assert stat.S_IMODE(info.st_mode) == 0o600, f"{path} mode changed to {oct(info.st_mode)}"
        assert info.st_mtime > 1_000_000, f"{path} was re-dated"


def _workers_untouched(ctx: Context) -> None:
    assert ctx.workers_after == ctx.workers_before, "a worker was replaced"
    assert all(process_alive(pid) for pid in ctx.workers_before), "a worker died"


def refused(*prefixes: str, outside: Callable[[Context], None] | None = None) -> Expectation:
    """ERROR whose last traceback line starts with one of ``prefixes``; no secret in the output."""

    def expect(result: Result, ctx: Context) -> None:
        assert result.outcome is Outcome.ERROR, (result.outcome, result.error_line, result.stderr[-500:])
        assert result.error_line is not None and result.error_line.startswith(prefixes), result.error_line
        _no_secrets(result, ctx)
        ctx.targets.assert_listeners_silent()
        ctx.targets.assert_no_signal_received()
        ctx.targets.assert_nothing_planted()
        _workers_untouched(ctx)
        if outside is not None:
            outside(ctx)

    return expect


def outcome(
    expected: Outcome | tuple[Outcome, ...], *, error_line: tuple[str, ...] | None = None, signal: int | None = None
) -> Expectation:
    allowed = expected if isinstance(expected, tuple) else (expected,)

    def expect(result: Result, ctx: Context) -> None:
        assert result.outcome in allowed, (result.outcome, result.error_line, result.reason, result.stderr[-500:])
        if error_line is not None:
            assert result.error_line is not None and result.error_line.startswith(error_line), result.error_line
        if signal is not None:
            assert result.signal == signal, result.signal
        _no_secrets(result, ctx)
        _workers_untouched(ctx)

    return expect


def _output_capped(result: Result, ctx: Context) -> None:
    outcome(Outcome.OUTPUT_LIMIT)(result, ctx)
    assert result.truncated
    assert len(result.stdout.encode()) + len(result.stderr.encode()) <= OUTPUT_CAP


def _disk_fill(result: Result, ctx: Context) -> None:
    if ctx.namespaces:  # the tmpfs is full at 32 MiB
        refused("OSError: [Errno 28] No space left on device")(result, ctx)
    else:  # known gap: a plain folder is bounded per file only (16 MiB); 40 MiB fit and are removed afterwards
        outcome(Outcome.OK)(result, ctx)


def _threads_contained(result: Result, ctx: Context) -> None:
    """Spinning threads end at the CPU limit, unless thread creation is refused first: RLIMIT_NPROC (16) when
    the worker is not root and has a user namespace, RLIMIT_AS otherwise. libgomp then gives up with
    "Thread creation failed" and exits or torch raises; either way the run ends early and contained."""
    if result.outcome is Outcome.TIMEOUT:
        outcome(Outcome.TIMEOUT)(result, ctx)
        return
    outcome((Outcome.ERROR, Outcome.CRASHED))(result, ctx)
    assert "Thread creation failed" in result.stderr or "can't start new thread" in result.stderr, result.stderr


def _token_absent(result: Result, ctx: Context) -> None:
    outcome(Outcome.OK)(result, ctx)
    assert "READ-OK" not in result.stdout, result.stdout  # every /proc read failed


def _clean_second_run(result: Result, ctx: Context) -> None:
    outcome(Outcome.OK)(result, ctx)
    assert result.stdout.strip() == "leaks: []", result.stdout


PERMISSION = "PermissionError"
EPERM = "PermissionError: [Errno 1]"
EACCES = "PermissionError: [Errno 13]"
ENOENT = "FileNotFoundError: [Errno 2]"

ATTACKS: tuple[Attack, ...] = (
    # --- files -------------------------------------------------------------------------------------------
    Attack("read-secret-file", "print(open('__SECRET__').read())", refused(PERMISSION)),
    Attack("read-secret-file-raw", RAW + "print(os.read(raw_open('__SECRET__'), 999))", refused(EACCES)),
    Attack(
        "read-database-sqlite",
        "import sqlite3\nprint(sqlite3.connect('__DB__').execute('select * from members').fetchall())",
        refused(PERMISSION),
    ),
    Attack("read-database-raw", RAW + "print(os.read(raw_open('__DB__'), 9999))", refused(EACCES)),
    Attack(
        "symlink-to-secret", "import os\nos.symlink('__SECRET__', 'link')\nprint(open('link').read())", refused(EACCES)
    ),
    Attack(
        "hardlink-to-secret",
        "import os\nos.link('__SECRET__', 'hard')\nprint(open('hard').read())",
        refused(EACCES, EPERM, "OSError: [Errno 18]"),
    ),
    Attack("proc-environ-of-bot", "print(open('/proc/__BOT__/environ', 'rb').read())", refused(PERMISSION)),
    Attack(
        "proc-environ-of-bot-raw",
        RAW + "print(os.read(raw_open('/proc/__BOT__/environ'), 9999))",
        refused(EACCES, ENOENT),
    ),
    Attack("proc-mem-of-bot-raw", RAW + "print(os.read(raw_open('/proc/__BOT__/mem'), 99))", refused(EACCES, ENOENT)),
    Attack(
        "process-vm-readv-bot",
        RAW + "buf = ctypes.create_string_buffer(64)\nraw(310, __BOT__, 0, 0, 0, 0, 0)",
        refused(EPERM),
    ),
    Attack(
        "token-anywhere-readable",
        RAW
        + """
print(dict(os.environ))
for path in ('/proc/self/environ', '/proc/1/environ', '/proc/__BOT__/environ', '/proc/__WORKER__/environ',
             '/proc/__BOT__/cmdline', '/proc/__WORKER__/cmdline'):
    try:
        print('READ-OK', path, os.read(raw_open(path), 1 << 16))
    except OSError as error:
        print('denied', path, error.errno)
""",
        _token_absent,
    ),
    # --- file metadata (Landlock does not cover it; seccomp does) -----------------------------------------
    Attack("chmod-secret", "import os\nos.chmod('__SECRET__', 0o777)", refused(PERMISSION, outside=_secret_mode_kept)),
    Attack(
        "chmod-database-raw",
        RAW + "check(libc.chmod(b'__DB__', 0o777))",
        refused(EPERM, outside=_secret_mode_kept),
    ),
    Attack(
        "fchmod-through-a-readable-fd",
        "import os, sys\nfd = os.open(sys.executable, os.O_RDONLY)\nos.fchmod(fd, 0o777)",
        refused(PERMISSION),
    ),
    Attack("utime-secret", "import os\nos.utime('__SECRET__', (0, 0))", refused(PERMISSION, outside=_secret_mode_kept)),
    Attack("setxattr-secret", "import os\nos.setxattr('__SECRET__', 'user.x', b'1')", refused(PERMISSION)),
    Attack("write-project-folder", "open('__PATH_PROJECT__', 'w').write('x')", refused(PERMISSION)),
    Attack("write-tmp", "open('__PATH_TMP__', 'w').write('x')", refused(PERMISSION)),
    Attack("write-dev-shm", "open('__PATH_DEV_SHM__', 'w').write('x')", refused(PERMISSION)),
    Attack("write-var-tmp", "open('__PATH_VAR_TMP__', 'w').write('x')", refused(PERMISSION)),
    Attack("write-tmp-raw", RAW + "raw_open('__PATH_TMP_RAW__', os.O_WRONLY | os.O_CREAT)", refused(EACCES)),
    # --- network ---------------------------------------------------------------------------------------
    Attack(
        "tcp-connect-loopback", "import socket\nsocket.create_connection(('127.0.0.1', __TCP__))", refused(PERMISSION)
    ),
    Attack("tcp-socket-raw-syscall", RAW + "fd = raw(41, 2, 1, 0)  # socket(AF_INET, SOCK_STREAM)", refused(EPERM)),
    Attack(
        "udp-send-loopback",
        "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', __UDP__))",
        refused(PERMISSION),
    ),
    Attack(
        "abstract-unix-connect",
        "import socket\nsocket.socket(socket.AF_UNIX).connect('\\0__UNIX__')",
        refused(PERMISSION),
    ),
    Attack("unix-socket-raw-syscall", RAW + "fd = raw(41, 1, 1, 0)  # socket(AF_UNIX, SOCK_STREAM)", refused(EPERM)),
    # --- processes -------------------------------------------------------------------------------------
    Attack("subprocess-run", "import subprocess\nsubprocess.run(['id'])", refused(PERMISSION)),
    Attack("os-execv", "import os\nos.execv('/bin/sh', ['sh', '-c', 'id'])", refused(PERMISSION)),
    Attack(
        "execve-raw",
        RAW + "argv = (ctypes.c_char_p * 2)(b'/bin/sh', None)\ncheck(libc.execv(b'/bin/sh', argv))",
        refused(EPERM, EACCES),
    ),
    Attack("os-fork", "import os\nos.fork()", refused(PERMISSION)),
    Attack("fork-bomb", "import os\nwhile True:\n    os.fork()", refused(PERMISSION)),
    Attack(
        "fork-bomb-raw",
        RAW
        + """
started = 0
for _ in range(200):
    pid = libc.fork()
    if pid == 0:
        os._exit(0)
    started += pid > 0
if not started:
    raise PermissionError(1, 'every fork refused')
print('forked', started)
""",
        refused(EPERM),
    ),
    Attack(
        "multiprocessing-process",
        "import multiprocessing\nmultiprocessing.Process(target=print).start()",
        refused(PERMISSION),
    ),
    Attack(
        "thread-bomb",
        """
import threading, time
threads = []
while True:
    thread = threading.Thread(target=time.sleep, args=(30,), daemon=True)
    thread.start()
    threads.append(thread)
""",
        refused("RuntimeError: can't start new thread"),
    ),
    # --- signals ---------------------------------------------------------------------------------------
    Attack("signal-worker", "import os, signal\nos.kill(__WORKER__, signal.SIGKILL)", refused(PERMISSION)),
    Attack("signal-worker-raw", RAW + "raw(62, __WORKER__, 9)  # kill(worker, SIGKILL)", refused(EPERM)),
    Attack("signal-bot", "import os, signal\nos.kill(__BOT__, signal.SIGUSR1)", refused(PERMISSION)),
    Attack("signal-bot-raw", RAW + "raw(62, __BOT__, 10)  # kill(bot, SIGUSR1)", refused(EPERM)),
    Attack("signal-everyone-raw", RAW + "raw(62, -1, 28)  # kill(-1, SIGWINCH)", refused(EPERM)),
    Attack("signal-process-group-raw", RAW + "raw(62, 0, 28)  # kill(0, SIGWINCH)", refused(EPERM)),
    Attack("tgkill-bot-raw", RAW + "raw(234, __BOT__, __BOT__, 10)  # tgkill(bot, bot, SIGUSR1)", refused(EPERM)),
    # --- kernel attack surface -------------------------------------------------------------------------
    Attack("ptrace-attach-bot", RAW + "raw(101, 16, __BOT__, 0, 0)  # PTRACE_ATTACH", refused(EPERM)),
    Attack("unshare-user-namespace", RAW + "raw(272, 0x10000000)  # unshare(CLONE_NEWUSER)", refused(EPERM)),
    Attack("clone3", RAW + "raw(435, 0, 0)", refused("OSError: [Errno 38]")),
    Attack("io-uring-setup", RAW + "raw(425, 8, 0)", refused(EPERM)),
    Attack("bpf", RAW + "raw(321, 0, 0, 0)", refused(EPERM)),
    Attack(
        "x32-syscall",
        "CODE = b'\\xb8\\x27\\x00\\x00\\x40\\x0f\\x05\\xc3'  # mov eax, 0x40000027; syscall; ret" + MACHINE_CODE,
        outcome(Outcome.CRASHED, signal=SIGSYS),
    ),
    Attack(
        "i386-int80-syscall",
        "CODE = b'\\xb8\\x14\\x00\\x00\\x00\\xcd\\x80\\xc3'  # mov eax, 20; int 0x80; ret" + MACHINE_CODE,
        outcome(Outcome.CRASHED, signal=SIGSYS),
    ),
    Attack(
        "sysv-shmget", RAW + "raw(29, 0, 4096, 0o1600)  # shmget(IPC_PRIVATE, 4096, IPC_CREAT|0600)", refused(EPERM)
    ),
    Attack("memfd-create", "import os\nos.memfd_create('x')", refused(PERMISSION)),
    Attack("setsid", "import os\nos.setsid()", refused(PERMISSION)),
    # --- resources -------------------------------------------------------------------------------------
    Attack("torch-empty-1e11", "import torch\ntorch.empty(10**11)", outcome(Outcome.MEMORY)),
    Attack("list-bomb", "x = [0] * 10**10", outcome(Outcome.MEMORY)),
    Attack("list-bomb-nested", "x = [[0] * 10**6 for _ in range(10**4)]", outcome(Outcome.MEMORY)),
    Attack(
        "gradual-allocation",
        "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 2**20))",
        outcome(Outcome.MEMORY),
    ),
    Attack(
        "gradual-torch-allocation",
        "import torch\nkeep = []\nwhile True:\n    keep.append(torch.ones(2**22))",
        outcome(Outcome.MEMORY),
    ),
    Attack(
        "shared-mmap-8gib",
        "import mmap\nm = mmap.mmap(-1, 8 * 2**30, flags=mmap.MAP_SHARED)\nm[::4096] = b'x' * (2**21)",
        outcome((Outcome.ERROR, Outcome.MEMORY), error_line=("OSError: [Errno 12]", "MemoryError")),
    ),
    Attack("cpu-spin", SPIN, outcome(Outcome.TIMEOUT), wall_seconds=1.0),
    Attack(
        "cpu-spin-sigxcpu-ignored",
        "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\n" + SPIN,
        outcome(Outcome.TIMEOUT),
        wall_seconds=1.0,
    ),
    Attack(
        "cpu-spin-sigxcpu-handler-replaced",
        "import signal\nsignal.signal(signal.SIGXCPU, lambda *args: None)\n" + SPIN,
        outcome(Outcome.TIMEOUT),
        wall_seconds=1.0,
    ),
    Attack(
        "cpu-spin-swallowing-timeout",
        "while True:\n    try:\n        while True:\n            pass\n    except TimeoutError:\n        pass\n",
        outcome(Outcome.TIMEOUT),
        wall_seconds=1.0,
    ),
    Attack("sleep-forever", "import time\ntime.sleep(10**6)", outcome(Outcome.TIMEOUT), wall_seconds=1.0),
    Attack(
        "threaded-matmul-loop",
        """
import threading, torch
torch.set_num_threads(4)
def loop():
    a = torch.randn(256, 256)
    while True:
        a = torch.tanh(a @ a)
for _ in range(3):
    threading.Thread(target=loop, daemon=True).start()
loop()
""",
        _threads_contained,
        wall_seconds=1.0,
    ),
    Attack(
        "output-100mb",
        "import sys\nchunk = 'x' * 2**20\nfor _ in range(100):\n    sys.stdout.write(chunk)",
        _output_capped,
    ),
    Attack("big-file", "open('big', 'wb').write(b'x' * (100 * 2**20))", refused("OSError: [Errno 27] File too large")),
    Attack(
        "disk-fill-scratch",
        "for i in range(40):\n    with open(f'fill{i}', 'wb') as f:\n        f.write(b'x' * 2**20)",
        _disk_fill,
    ),
    Attack(
        "fd-exhaustion",
        "files = []\nwhile True:\n    files.append(open('f%d' % len(files), 'w'))",
        refused("OSError: [Errno 24] Too many open files"),
    ),
    Attack("segfault", "import ctypes\nctypes.string_at(0)", outcome(Outcome.CRASHED, signal=SIGSEGV)),
    # --- state between runs ----------------------------------------------------------------------------
    Attack(
        "state-leak-between-runs",
        """
import builtins, json, os, torch
open('leftover.txt', 'w').write('x')
json.LEAKED = builtins.LEAKED = torch.nn.LEAKED = True
os.environ['LEAKED'] = '1'
try:
    open('/dev/shm/torchquiz-leak-__NONCE__', 'w').write('x')
except PermissionError:
    pass
""",
        _clean_second_run,
        then="""
import builtins, json, os, torch
leaks = sorted(os.listdir('.'))
leaks += [name for name, module in (('json', json), ('builtins', builtins), ('torch.nn', torch.nn))
          if hasattr(module, 'LEAKED')]
leaks += ['environ'] if 'LEAKED' in os.environ else []
leaks += ['/dev/shm'] if os.path.exists('/dev/shm/torchquiz-leak-__NONCE__') else []
print('leaks:', leaks)
""",
    ),
)
