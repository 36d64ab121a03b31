"""Cleaning up scratch folders never touches anything outside them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.sandbox.scratch import remove_tree


def test_a_failing_top_folder_does_not_chmod_its_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = tmp_path / "shared"
    tree = parent / "torchquiz-sandbox-x"
    (tree / "deep").mkdir(parents=True)
    parent.chmod(0o1777)
    real_rmdir = os.rmdir

    def refuse_top(path: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        if os.fspath(path) == str(tree):
            raise PermissionError(13, "refused", str(tree))
        real_rmdir(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rmdir", refuse_top)
    remove_tree(str(tree))
    assert stat.S_IMODE(parent.stat().st_mode) == 0o1777
    assert not (tree / "deep").exists()
