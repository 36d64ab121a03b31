"""Exit statuses a runner uses when it cannot send its final report, shared by the runner and its worker.

Kept apart from `runner.py` so that the worker, which never imports torch, can read them.
"""

from __future__ import annotations

EXIT_INTERNAL = 120
"""The runner failed outside the member's code (a bug, or it was never adopted by its worker)."""
EXIT_MEMORY = 121
"""Out of memory before a report could be written."""
EXIT_ISOLATION = 122
"""A required isolation layer could not be applied; the code never ran."""
