"""Shared fixtures: the shipped packs and a real SQLite database in a temporary folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.packs import Pack, load_pack_file
from bot.storage import Store

ROOT = Path(__file__).resolve().parent.parent
CHALLENGES = ROOT / "challenges"


@pytest.fixture
def autograd_pack() -> Pack:
    return load_pack_file(CHALLENGES / "autograd-basics.yaml")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with Store.open(tmp_path / "torchquiz.db") as opened:
        yield opened
