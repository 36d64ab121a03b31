"""`python -m bot doctor`: an offline health check of everything the bot needs, printed as a short report."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from bot.packs import load_library
from bot.settings import Settings, SettingsError, load_settings
from bot.storage import Store
from bot.storage.database import migrations


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
        # Go on with the defaults so the other checks still say something useful.
        try:
            fallback = Settings(token=SecretStr("unset"))
        except Exception:
            fallback = Settings.model_construct(token=SecretStr("unset"))
        return fallback, Finding("settings", False, str(exc))
    return settings, Finding("settings", True, f"token set; database {settings.database}; packs {settings.packs_dir}")


async def _database(path: Path) -> Finding:
    try:
        async with Store.open(path) as store:
            version = await store.schema_version()
    except Exception as exc:
        return Finding("database", False, f"{path}: {exc}")
    latest = migrations()[-1].version
    return Finding("database", version == latest, f"{path}: schema {version} of {latest}, WAL")


def _packs(folder: Path) -> list[Finding]:
    library = load_library([folder])
    questions = sum(len(p.questions) for p in library.packs.values())
    findings = [Finding("packs", bool(library.packs), f"{len(library)} pack(s), {questions} question(s) in {folder}")]
    findings.extend(Finding("packs", False, str(problem)) for problem in library.problems)
    return findings


async def collect() -> list[Finding]:
    settings, finding = _settings()
    findings = [finding, await _database(settings.database)]
    findings.extend(await asyncio.to_thread(_packs, settings.packs_dir))
    return findings


async def run_doctor() -> int:
    findings = await collect()
    for finding in findings:
        print(finding)
    failed = sum(not f.ok for f in findings)
    print("all checks passed" if not failed else f"{failed} problem(s) found")
    return 1 if failed else 0
