"""`python -m bot doctor`: an offline health check of everything the bot needs, printed as a short report."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import SecretStr

from bot.packs import load_library
from bot.sandbox import SandboxPool
from bot.sandbox.isolation.tasks import pids_controller
from bot.settings import OFFLINE_TOKEN, Settings, SettingsError, load_settings
from bot.storage import Store
from bot.storage.database import migrations
from bot.storage.target import describe_url


@dataclass(frozen=True)
class Finding:
    area: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.area:<9} {self.detail}"


def _settings() -> tuple[Settings, Finding]:
    try:
        settings = load_settings()
    except SettingsError as exc:
        # Go on with what can be read, so the other checks still say something useful.
        try:
            fallback = load_settings(require_token=False)
        except SettingsError:
            fallback = Settings.model_construct(token=SecretStr(OFFLINE_TOKEN))
        return fallback, Finding("settings", False, str(exc))
    return settings, Finding("settings", True, f"token set; database {settings.database}; packs {settings.packs_dir}")


async def _database(target: Path | str) -> Finding:
    """The database the bot would open: a SQLite file by its absolute path (one that does not exist yet is not
    created here), or a PostgreSQL server (connected to, and migrated as start-up would)."""
    if isinstance(target, str):
        return await _server_database(target)
    path = target
    exists, problem = await asyncio.to_thread(_database_place, path)
    if problem is not None:
        return Finding("database", False, problem)
    try:
        latest = migrations()[-1].version
    except Exception as exc:  # a broken install: say so and go on with the other checks
        where = f"{path}:" if exists else f"{path} does not exist yet, and"
        return Finding("database", False, f"{where} the bundled migrations are unusable: {exc}")
    if not exists:
        return await _new_database(path, latest)
    try:
        async with Store.open(path) as store:
            version = await store.schema_version()
    except Exception as exc:
        return Finding("database", False, f"{path}: {exc}")
    engine = f"SQLite {sqlite3.sqlite_version}"
    return Finding("database", version == latest, f"{path}: {engine}, schema {version} of {latest}, WAL")


def _shards(settings: Settings) -> Finding:
    """Which shards this process runs; a slice of them needs a database every process can reach."""
    shards = settings.shards
    if not shards.partial:
        return Finding("shards", True, f"this process runs {shards.describe()}")
    shared = isinstance(settings.database, str)
    detail = f"this process runs {shards.describe()}; the others must share its database and queue"
    if not shared:
        detail += ": a SQLite file cannot be shared between machines, set TORCHQUIZ_DATABASE=postgresql://..."
    elif not settings.sandbox_queue:
        detail += ": without TORCHQUIZ_SANDBOX_QUEUE each process limits /run for its own servers only"
    return Finding("shards", shared, detail)


async def _server_database(url: str) -> Finding:
    where = describe_url(url)
    try:
        latest = migrations("postgresql")[-1].version
        async with Store.open(url) as store:
            version = await store.schema_version()
            info = await store.engine_info()
    except Exception as exc:
        return Finding("database", False, f"{where}: cannot open it: {exc}")
    facts = f"{info.engine} {info.version}, schema {version} of {latest}, {info.pool}"
    return Finding("database", version == latest, f"{where}: {facts}")


def _database_place(path: Path) -> tuple[bool, str | None]:
    """Whether the database file exists, and why start-up could not open or create it (None when it can)."""
    if str(path) == ":memory:":
        return True, None
    if path.is_dir():
        return True, f"{path} is a folder, not a database file: set TORCHQUIZ_DATABASE"
    if path.exists():
        return True, None
    existing = next(folder for folder in path.parents if folder.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return False, f"{path} does not exist yet and cannot be created: {existing} is not a writable folder"
    return False, None


async def _new_database(path: Path, latest: int) -> Finding:
    """A database that start-up will create: the migrations must apply to a new one (tried in a scratch folder)."""
    try:
        with tempfile.TemporaryDirectory(prefix="torchquiz-doctor-") as scratch:
            async with Store.open(Path(scratch) / "check.db") as store:
                version = await store.schema_version()
    except Exception as exc:
        return Finding("database", False, f"{path} does not exist yet, and the migrations fail on a new one: {exc}")
    return Finding(
        "database",
        version == latest,
        f"{path} does not exist yet: it will be created at start (migrations checked on a scratch database: "
        f"SQLite {sqlite3.sqlite_version}, schema {version} of {latest})",
    )


def _packs(folder: Path) -> list[Finding]:
    """The packs the bot would load, with the absolute folder it looked in; none at all is a failure."""
    if not folder.exists():
        return [Finding("packs", False, f"0 packs: there is no folder {folder} (set TORCHQUIZ_PACKS_DIR)")]
    if not folder.is_dir():
        return [Finding("packs", False, f"0 packs: {folder} is not a folder (set TORCHQUIZ_PACKS_DIR)")]
    library = load_library([folder])
    questions = sum(len(p.questions) for p in library.packs.values())
    if not library.packs:
        findings = [Finding("packs", False, f"0 packs in {folder} (set TORCHQUIZ_PACKS_DIR to a folder of packs)")]
    else:
        findings = [Finding("packs", True, f"{len(library)} pack(s), {questions} question(s) in {folder}")]
    findings.extend(Finding("packs", False, str(problem)) for problem in library.problems)
    return findings


async def _queue(settings: Settings) -> list[Finding]:
    """With worker hosts behind Redis: the queue reachable, hosts alive, the backlog, then one real run through it."""
    from bot.sandbox.queue import QueueSandbox
    from bot.sandbox.queue.health import queue_health
    from bot.sandbox.queue.wire import describe_url

    try:
        health = await queue_health(settings.sandbox_queue)
    except Exception as exc:  # unreachable, refused, wrong password: one line, whatever redis-py raised
        return [Finding("queue", False, f"{describe_url(settings.sandbox_queue)} cannot be reached: {exc}")]
    findings = [Finding("queue", health.workers > 0, health.describe())]
    if health.workers == 0:
        findings.append(
            Finding("sandbox", False, "no worker host is alive: start `python -m bot sandbox serve --redis URL`")
        )
        return findings
    async with QueueSandbox(settings.sandbox_queue, replace(settings.sandbox_limits(), cooldown_seconds=0.0)) as queue:
        result = await queue.run(SMOKE_TEST)
    works = result.ok and result.stdout.strip() == "14.0"
    detail = f"a worker host ran an autograd snippet through the queue: {result.summary()}"
    findings.append(Finding("sandbox", works, detail if works else f"{detail}; /run and code questions are disabled"))
    return findings


async def _sandbox(settings: Settings) -> list[Finding]:
    """Every isolation layer as active or unavailable with the reason, then one real run through a warm worker."""
    if not settings.sandbox_enabled:
        return [Finding("sandbox", True, "switched off (TORCHQUIZ_SANDBOX_ENABLED=false): /run and code questions off")]
    if settings.sandbox_queue:
        return await _queue(settings)
    # The layers as a real worker found them: under the user it runs as, which is what bounds its tasks.
    limits = replace(settings.sandbox_limits(), workers=1, cooldown_seconds=0.0)
    async with SandboxPool(limits) as pool:
        findings = [
            Finding(
                "layer",
                layer.available or not layer.required,
                f"{layer.name:<13} {'active' if layer.available else 'unavailable'}"
                f"{' (required)' if layer.required else ''}: {layer.detail}",
            )
            for layer in pool.layers
        ]
        if pool.identity:
            findings.append(Finding("workers", True, pool.identity))
        tasks = next((layer for layer in pool.layers if layer.name == "task-limit"), None)
        if tasks is not None:
            bound = tasks.detail if tasks.available else f"NONE ({tasks.detail})"
            findings.append(Finding("tasks", tasks.available, f"processes and threads per run bounded by {bound}"))
        findings.append(Finding("cgroups", True, pids_controller()))
        result = await pool.run(SMOKE_TEST)
    works = result.ok and result.stdout.strip() == "14.0"
    detail = f"a warm worker ran an autograd snippet: {result.summary()}"
    if not works:
        detail = f"{detail}; /run and code questions are disabled"
    findings.append(Finding("sandbox", works, detail))
    return findings


SMOKE_TEST = "import torch\nx = torch.tensor(2.0, requires_grad=True)\n(x**3 + 2*x).backward()\nprint(x.grad.item())\n"


async def collect() -> list[Finding]:
    settings, finding = _settings()
    findings = [finding, _shards(settings), await _database(settings.database)]
    findings.extend(await asyncio.to_thread(_packs, settings.packs_dir))
    findings.extend(await _sandbox(settings))
    return findings


async def run_doctor() -> int:
    findings = await collect()
    for finding in findings:
        print(finding)
    failed = sum(not f.ok for f in findings)
    print("all checks passed" if not failed else f"{failed} problem(s) found")
    return 1 if failed else 0
