"""What the attacks aim at: a secret, a database, listeners, signal handlers and a token, made by the test."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
            "__PROJECT__": str(ROOT),
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
