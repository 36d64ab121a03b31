"""Shared fixtures: the shipped packs and a real SQLite database in a temporary folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.packs import Pack, load_pack_file
from bot.storage import Store

ROOT = Path(__file__).resolve().parent.parent
CHALLENGES = ROOT / "challenges"
SLOW_FOLDERS = {"e2e": pytest.mark.e2e, "sandbox": pytest.mark.sandbox}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow folders, so `-m "not e2e and not sandbox"` gives a quick local loop (CI runs everything)."""
    for item in items:
        path = Path(str(item.path)).resolve()
        if ROOT not in path.parents:
            continue
        parts = path.relative_to(ROOT).parts
        if len(parts) > 2 and parts[0] == "tests" and parts[1] in SLOW_FOLDERS:
            item.add_marker(SLOW_FOLDERS[parts[1]])


@pytest.fixture
def autograd_pack() -> Pack:
    return load_pack_file(CHALLENGES / "autograd-basics.yaml")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with Store.open(tmp_path / "torchquiz.db") as opened:
        yield opened
