"""Removing scratch folders: a run's, after it ends, and a worker's whole base folder, after the worker is gone."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from typing import Any


def remove_tree(path: str) -> None:
    """Remove `path` even if a run chmod-ed parts of it to 000 (matters when not root); gone already is fine.

    `shutil.rmtree` never follows symlinks, so a link a run left pointing outside its folder is only unlinked.
    """

    root = os.path.abspath(path)

    def make_writable_and_retry(function: Any, failed: str, _info: Any) -> None:
        for target in (os.path.dirname(failed), failed):
            # Only ever touch what lies inside the tree: chmod-ing the folder that holds it (say /tmp) would
            # change a shared directory for everyone.
            if os.path.commonpath([root, os.path.abspath(target)]) != root:
                continue
            with contextlib.suppress(OSError, NotImplementedError):
                os.chmod(target, stat.S_IRWXU, follow_symlinks=False)
        # A second failure is left behind rather than raised: cleanup must never take a worker down.
        with contextlib.suppress(OSError):
            function(failed)

    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(path, onerror=make_writable_and_retry)
