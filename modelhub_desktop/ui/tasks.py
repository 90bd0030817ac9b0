"""TaskRunner: run core callables off the UI thread; results and errors come back by signal.

- Reads run on a small pool; mutations (alias moves, deploys) on one dedicated thread
  so they never race each other.
- A task submitted with a `key` supersedes earlier tasks with the same key: their
  results are dropped when they arrive (generation counter), and they are asked to
  cancel cooperatively.
- Errors are values: `on_error` receives a `ModelHubError` (unknown exceptions are
  wrapped), never a traceback on the UI thread.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from modelhub_desktop.core.errors import Cancelled, ModelHubError
from modelhub_desktop.core.progress import TaskContext

log = logging.getLogger(__name__)

TaskFn = Callable[[TaskContext], Any]


@dataclass
class TaskHandle:
    """What `submit` returns: lets the caller cancel or see whether the task is live."""

    task_id: int
    key: str | None
    description: str
    context: TaskContext
    on_result: Callable[[Any], None] | None = None
    on_error: Callable[[ModelHubError], None] | None = None
    on_progress: Callable[[int, int, str], None] | None = None
    on_partial: Callable[[Any], None] | None = None
    done: bool = field(default=False)

    def cancel(self) -> None:
        self.context.cancel()


class _Signals(QObject):
    # Payloads travel wrapped in a tuple: a bare None through a queued `object` argument
    # trips a reference-counting bug in some PySide6 releases.
    finished = Signal(int, object)  # task_id, (result, error)
    progressed = Signal(int, int, int, str)  # task_id, done, total, message
    partial = Signal(int, object)  # task_id, payload


class _Job(QRunnable):
    def __init__(self, task_id: int, fn: TaskFn, ctx: TaskContext, signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task_id, self._fn, self._ctx, self._signals = task_id, fn, ctx, signals

    def run(self) -> None:
        result: Any = None
        error: ModelHubError | None = None
        try:
            self._ctx.check()
            result = self._fn(self._ctx)
        except ModelHubError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - every failure becomes a value for the UI
            log.exception("task failed")
            error = ModelHubError(f"Unexpected error: {type(exc).__name__}: {exc}")
        self._signals.finished.emit(self._task_id, (result, error))


class TaskRunner(QObject):
    """The one way the UI runs anything that may block (network, disk, mlflow import)."""

    busyChanged = Signal(bool)  # noqa: N815 - Qt naming
    taskError = Signal(object)  # noqa: N815 - every error, for the status bar

    def __init__(self, parent: QObject | None = None, max_readers: int = 4) -> None:
        super().__init__(parent)
        # The UI thread needs the GIL for every call into a Qt model while it paints; with
        # Python's default 5 ms switch interval a busy worker makes each such call wait.
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
        self._reads = QThreadPool(self)
        self._reads.setMaxThreadCount(max_readers)
        self._mutations = QThreadPool(self)
        self._mutations.setMaxThreadCount(1)
        self._signals = _Signals()
        self._signals.finished.connect(self._on_finished)
        self._signals.progressed.connect(self._on_progress)
        self._signals.partial.connect(self._on_partial)
        self._tasks: dict[int, TaskHandle] = {}
        self._latest_by_key: dict[str, int] = {}
        self._next_id = 0
        self._lock = threading.Lock()

    # -- public API -------------------------------------------------------------------
    def submit(
        self,
        fn: TaskFn,
        *,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[ModelHubError], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_partial: Callable[[Any], None] | None = None,
        key: str | None = None,
        mutation: bool = False,
        description: str = "",
    ) -> TaskHandle:
        """Run `fn(ctx)` off the UI thread. Callbacks run on the UI thread."""
        with self._lock:
            self._next_id += 1
            task_id = self._next_id
        signals = self._signals

        def forward(done: int, total: int, message: str) -> None:
            signals.progressed.emit(task_id, done, total, message)

        def forward_partial(payload: Any) -> None:
            signals.partial.emit(task_id, (payload,))

        ctx = TaskContext(on_progress=forward, on_partial=forward_partial)
        handle = TaskHandle(
            task_id, key, description, ctx, on_result, on_error, on_progress, on_partial
        )
        if key is not None:
            previous = self._latest_by_key.get(key)
            if previous is not None and previous in self._tasks:
                self._tasks[previous].cancel()
            self._latest_by_key[key] = task_id
        was_idle = not self._tasks
        self._tasks[task_id] = handle
        pool = self._mutations if mutation else self._reads
        pool.start(_Job(task_id, fn, ctx, signals))
        if was_idle:
            self.busyChanged.emit(True)
        return handle

    def is_current(self, handle: TaskHandle) -> bool:
        return handle.key is None or self._latest_by_key.get(handle.key) == handle.task_id

    def cancel_all(self) -> None:
        for handle in list(self._tasks.values()):
            handle.cancel()

    def active(self) -> list[TaskHandle]:
        return list(self._tasks.values())

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until worker threads finish (shutdown and tests only)."""
        ok_reads = self._reads.waitForDone(msecs)
        ok_mut = self._mutations.waitForDone(msecs)
        return bool(ok_reads and ok_mut)

    def shutdown(self, msecs: int = 5000) -> None:
        self.cancel_all()
        self.wait_idle(msecs)

    # -- delivery on the UI thread ----------------------------------------------------
    @Slot(int, object)
    def _on_finished(self, task_id: int, outcome: tuple[Any, ModelHubError | None]) -> None:
        result, error = outcome
        handle = self._tasks.pop(task_id, None)
        if handle is None:
            return
        handle.done = True
        stale = not self.is_current(handle)
        if handle.key is not None and not stale:
            self._latest_by_key.pop(handle.key, None)
        if not self._tasks:
            self.busyChanged.emit(False)
        if stale:
            return
        if error is None:
            if handle.on_result is not None:
                handle.on_result(result)
            return
        if isinstance(error, Cancelled):
            log.info("task cancelled: %s", handle.description)
        else:
            self.taskError.emit(error)
        if handle.on_error is not None:
            handle.on_error(error)

    @Slot(int, int, int, str)
    def _on_progress(self, task_id: int, done: int, total: int, message: str) -> None:
        handle = self._tasks.get(task_id)
        if handle is None or handle.on_progress is None or not self.is_current(handle):
            return
        handle.on_progress(done, total, message)

    @Slot(int, object)
    def _on_partial(self, task_id: int, wrapped: tuple[Any]) -> None:
        handle = self._tasks.get(task_id)
        if handle is None or handle.on_partial is None or not self.is_current(handle):
            return
        handle.on_partial(wrapped[0])
