"""Cooperative cancel and progress for long core calls, without Qt.

Core functions take a `TaskContext`; the UI's task runner passes one whose
`progress` is forwarded to the UI thread, tests pass `TaskContext()`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from modelhub_desktop.core.errors import Cancelled

ProgressFn = Callable[[int, int, str], None]
PartialFn = Callable[[object], None]


class TaskContext:
    """Handed to a running task: ask it to stop, or hear how far it got."""

    def __init__(
        self, on_progress: ProgressFn | None = None, on_partial: PartialFn | None = None
    ) -> None:
        self._cancel = threading.Event()
        self._on_progress = on_progress
        self._on_partial = on_partial

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise `Cancelled` if someone asked this task to stop."""
        if self._cancel.is_set():
            raise Cancelled("Cancelled.")

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self._on_progress is not None:
            self._on_progress(done, total, message)

    def partial(self, payload: object) -> None:
        """Hand an intermediate result (e.g. a page of rows) to whoever is listening."""
        if self._on_partial is not None:
            self._on_partial(payload)
