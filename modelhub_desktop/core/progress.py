"""Cooperative cancel and progress for long core calls, without Qt.

Core functions take a `TaskContext`; the UI's task runner passes one whose
`progress` is forwarded to the UI thread, tests pass `TaskContext()`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from modelhub_desktop.core.errors import Cancelled

T = TypeVar("T")
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
        """Raise `Cancelled` if someone asked this task to stop; let the UI breathe."""
        yield_to_ui()
        if self._cancel.is_set():
            raise Cancelled("Cancelled.")

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self._on_progress is not None:
            self._on_progress(done, total, message)

    def partial(self, payload: object) -> None:
        """Hand an intermediate result (e.g. a page of rows) to whoever is listening."""
        if self._on_partial is not None:
            self._on_partial(payload)


_local = threading.local()
#: A worker yields the GIL once it has held it this long...
SLICE_S = 0.015
#: ...for this long, enough for the UI thread to handle its pending events and paint.
PAUSE_S = 0.003


def yield_to_ui() -> None:
    """Pause briefly if this thread has been computing for a while.

    CPU-bound Python on a worker thread keeps the GIL from the UI thread, which needs it
    for every call into the Qt models while painting; without pauses a 200 ms burst of
    decoding freezes the window for 200 ms. Costs about 20% of a worker's CPU time.
    """
    now = time.perf_counter()
    last = getattr(_local, "last", None)
    if last is None:
        _local.last = now
    elif now - last > SLICE_S:
        time.sleep(PAUSE_S)
        _local.last = time.perf_counter()


def cooperative(items: Iterable[T], every: int = 10) -> Iterator[T]:
    """Iterate, giving the UI thread a turn now and then (see `yield_to_ui`)."""
    for i, item in enumerate(items, 1):
        yield item
        if i % every == 0:
            yield_to_ui()
