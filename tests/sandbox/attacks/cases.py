"""The attack list: every case tries to break one promise of docs/sandbox.md and says how it must fail.

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

from bot.sandbox import Outcome
from tests.sandbox.attacks.checks import (
    EACCES,
    ENOENT,
    EPERM,
    PERMISSION,
    Attack,
    Context,
    clean_second_run,
    disk_fill,
    no_xattr_planted,
    outcome,
    output_capped,
    refused,
    secret_mode_kept,
    tasks_bounded,
    threads_contained,
    token_absent,
)
from tests.sandbox.attacks.targets import ROOT, SIGSEGV, SIGSYS, Targets, open_targets

__all__ = ["ATTACKS", "ROOT", "Attack", "Context", "Targets", "open_targets"]

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
        token_absent,
    ),
    # --- file metadata (Landlock does not cover it; seccomp does) -----------------------------------------
    Attack("chmod-secret", "import os\nos.chmod('__SECRET__', 0o777)", refused(PERMISSION, outside=secret_mode_kept)),
    Attack(
        "chmod-database-raw",
        RAW + "check(libc.chmod(b'__DB__', 0o777))",
        refused(EPERM, outside=secret_mode_kept),
    ),
    Attack(
        "fchmod-through-a-readable-fd",
        "import os, sys\nfd = os.open(sys.executable, os.O_RDONLY)\nos.fchmod(fd, 0o777)",
        refused(PERMISSION),
    ),
    Attack("utime-secret", "import os\nos.utime('__SECRET__', (0, 0))", refused(PERMISSION, outside=secret_mode_kept)),
    Attack(
        "setxattrat-raw-newer-than-libseccomp",
        RAW + "class Args(ctypes.Structure):\n"
        "    _fields_ = [('value', ctypes.c_uint64), ('size', ctypes.c_uint32), ('flags', ctypes.c_uint32)]\n"
        "value = ctypes.create_string_buffer(b'planted')\n"
        "args = Args(ctypes.addressof(value), 7, 0)\n"
        "check(libc.syscall(ctypes.c_long(463), ctypes.c_long(-100), ctypes.c_char_p(b'__SECRET__'), ctypes.c_long(0),"
        " ctypes.c_char_p(b'user.torchquiz'), ctypes.byref(args), ctypes.c_long(ctypes.sizeof(args))))",
        refused("OSError: [Errno 38]", outside=no_xattr_planted),
    ),
    Attack(
        "inotify-watch-project-folder",
        RAW + "fd = check(libc.inotify_init1(0))\ncheck(libc.inotify_add_watch(fd, b'__PROJECT__', 0xfff))",
        refused(EPERM),
    ),
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
    Attack(
        "thread-bomb-small-stacks",  # 32 KiB stacks: memory alone would allow thousands of threads
        """
import threading, time
threading.stack_size(32 * 1024)
started = 0
try:
    while started < 100_000:
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        started += 1
finally:
    print("started", started)
""",
        tasks_bounded,
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
        threads_contained,
        wall_seconds=1.0,
    ),
    Attack(
        "output-100mb",
        "import sys\nchunk = 'x' * 2**20\nfor _ in range(100):\n    sys.stdout.write(chunk)",
        output_capped,
    ),
    Attack("big-file", "open('big', 'wb').write(b'x' * (100 * 2**20))", refused("OSError: [Errno 27] File too large")),
    Attack(
        "disk-fill-scratch",
        "for i in range(40):\n    with open(f'fill{i}', 'wb') as f:\n        f.write(b'x' * 2**20)",
        disk_fill,
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
        clean_second_run,
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
