"""TaskRunner: run core callables off the UI thread; results and errors come back by signal.

- `submit` hands back a `Task`, a QObject whose signals (`returned`, `errored`,
  `progressed`, `partial`, `finished`) fire on the UI thread. Give it an `owner` (the
  widget that wants the answer): the task becomes the owner's child, so when the owner
  is deleted Qt deletes the task and drops its deliveries — no liveness checks by hand.
- Reads run on a small pool; writes (`mutation=True`: alias moves, tags, deploys) on one
  dedicated thread, in submission order, so two writes never race.
- A task submitted under a `TaskKey` (and optional scope) supersedes the live task with
  the same key: that one is asked to cancel and its result is dropped when it arrives.
- Errors are values: `errored` carries a `ModelHubError` (unknown exceptions are
  wrapped), never a traceback on the UI thread.
"""

from __future__ import annotations

import logging
import sys
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import isValid

from modelhub_desktop.core.errors import Cancelled, ModelHubError
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.ui.task_keys import TaskKey

log = logging.getLogger(__name__)

TaskFn = Callable[[TaskContext], Any]
KeyId = tuple[TaskKey, str]


class Task(QObject):
    """One submitted task, as the UI thread sees it. Signals fire on the UI thread."""

    returned = Signal(object)
    errored = Signal(object)  # ModelHubError
    progressed = Signal(int, int, str)  # done, total, message
    partial = Signal(object)
    finished = Signal()

    def __init__(self, task_id: int, description: str, context: TaskContext,
                 owner: QObject | None) -> None:
        super().__init__(owner)
        self.task_id = task_id
        self.description = description
        self._context = context

    def cancel(self) -> None:
        """Ask the task to stop at its next check; its result will be dropped."""
        self._context.cancel()


@dataclass
class _Entry:
    """What the runner keeps of a live task (the Task object may die with its owner)."""

    task_id: int
    key: KeyId | None
    description: str
    context: TaskContext
    task: Task | None


class _Signals(QObject):
    # Payloads travel wrapped in a tuple: a bare None through a queued `object` argument
    # trips a reference-counting bug in some PySide6 releases.
    finished = Signal(int, object)  # task_id, (result, error)
    progressed = Signal(int, int, int, str)  # task_id, done, total, message
    partial = Signal(int, object)  # task_id, (payload,)


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

    _instances: ClassVar[weakref.WeakSet[TaskRunner]] = weakref.WeakSet()

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
        self._entries: dict[int, _Entry] = {}
        self._latest_by_key: dict[KeyId, int] = {}
        self._next_id = 0
        self._lock = threading.Lock()
        TaskRunner._instances.add(self)

    @classmethod
    def instances(cls) -> list[TaskRunner]:
        """Every runner still alive (tests check that none has work left over)."""
        return list(cls._instances)

    # -- public API -------------------------------------------------------------------
    def submit(
        self,
        fn: TaskFn,
        *,
        key: TaskKey | None = None,
        scope: object = "",
        owner: QObject | None = None,
        mutation: bool = False,
        description: str = "",
        on_result: Callable[[Any], object] | None = None,
        on_error: Callable[[ModelHubError], object] | None = None,
        on_progress: Callable[[int, int, str], object] | None = None,
        on_partial: Callable[[Any], object] | None = None,
    ) -> Task:
        """Run `fn(ctx)` off the UI thread; returns the `Task` whose signals report back.

        The `on_*` callables are connected to the task's signals for convenience; with an
        `owner` they die with it.
        """
        with self._lock:
            self._next_id += 1
            task_id = self._next_id
        signals = self._signals

        def forward(done: int, total: int, message: str) -> None:
            signals.progressed.emit(task_id, done, total, message)

        def forward_partial(payload: Any) -> None:
            signals.partial.emit(task_id, (payload,))

        ctx = TaskContext(on_progress=forward, on_partial=forward_partial)
        task = Task(task_id, description, ctx, owner if owner is not None else self)
        for signal, slot in ((task.returned, on_result), (task.errored, on_error),
                             (task.progressed, on_progress), (task.partial, on_partial)):
            if slot is not None:
                signal.connect(slot)
        key_id = (key, str(scope)) if key is not None else None
        if key_id is not None:
            previous = self._latest_by_key.get(key_id)
            if previous is not None and previous in self._entries:
                self._entries[previous].context.cancel()
            self._latest_by_key[key_id] = task_id
        was_idle = not self._entries
        self._entries[task_id] = _Entry(task_id, key_id, description, ctx, task)
        pool = self._mutations if mutation else self._reads
        pool.start(_Job(task_id, fn, ctx, signals))
        if was_idle:
            self.busyChanged.emit(True)
        return task

    def is_running(self, key: TaskKey, scope: object = "") -> bool:
        """Whether a task under `key` (and scope) is still live."""
        task_id = self._latest_by_key.get((key, str(scope)))
        return task_id is not None and task_id in self._entries

    def cancel(self, key: TaskKey, scope: object = "") -> None:
        """Ask the live task under `key` to stop; its result will be dropped."""
        task_id = self._latest_by_key.pop((key, str(scope)), None)
        entry = self._entries.get(task_id) if task_id is not None else None
        if entry is not None:
            entry.context.cancel()

    def cancel_all(self) -> None:
        for entry in list(self._entries.values()):
            entry.context.cancel()
        self._latest_by_key.clear()

    def active(self) -> list[str]:
        """Descriptions of the tasks still running (for status and tests)."""
        return [e.description for e in self._entries.values()]

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until worker threads finish (shutdown and tests only)."""
        ok_reads = self._reads.waitForDone(msecs)
        ok_mut = self._mutations.waitForDone(msecs)
        return bool(ok_reads and ok_mut)

    def shutdown(self, msecs: int = 5000) -> None:
        """Cancel everything, wait for the workers and drop what is still queued."""
        self.cancel_all()
        self.wait_idle(msecs)
        for entry in list(self._entries.values()):
            task = self._live(entry)
            if task is not None:
                task.deleteLater()
        self._entries.clear()

    # -- delivery on the UI thread ----------------------------------------------------
    def _is_current(self, entry: _Entry) -> bool:
        return entry.key is None or self._latest_by_key.get(entry.key) == entry.task_id

    @staticmethod
    def _live(entry: _Entry) -> Task | None:
        """The entry's Task, unless Qt deleted it with its owner. (No `destroyed` hook:
        one that calls back into the runner can run while the runner itself is being
        deleted, and that crashes the interpreter.)"""
        task = entry.task
        if task is not None and not isValid(task):
            entry.task = task = None
        return task

    @Slot(int, object)
    def _on_finished(self, task_id: int, outcome: tuple[Any, ModelHubError | None]) -> None:
        result, error = outcome
        entry = self._entries.pop(task_id, None)
        if entry is None:
            return
        current = self._is_current(entry)
        if entry.key is not None and current:
            self._latest_by_key.pop(entry.key, None)
        if not self._entries:
            self.busyChanged.emit(False)
        task = self._live(entry)
        if task is None:  # its owner is gone
            return
        try:
            if not current:
                return
            if error is None:
                task.returned.emit(result)
            elif isinstance(error, Cancelled):
                log.info("task cancelled: %s", entry.description)
                task.errored.emit(error)
            else:
                self.taskError.emit(error)
                task.errored.emit(error)
            if isValid(task):  # a slot may have deleted the owner, and the task with it
                task.finished.emit()
        finally:
            entry.task = None
            if isValid(task):
                task.deleteLater()

    @Slot(int, int, int, str)
    def _on_progress(self, task_id: int, done: int, total: int, message: str) -> None:
        entry = self._entries.get(task_id)
        task = self._live(entry) if entry is not None else None
        if entry is not None and task is not None and self._is_current(entry):
            task.progressed.emit(done, total, message)

    @Slot(int, object)
    def _on_partial(self, task_id: int, wrapped: tuple[Any]) -> None:
        entry = self._entries.get(task_id)
        task = self._live(entry) if entry is not None else None
        if entry is not None and task is not None and self._is_current(entry):
            task.partial.emit(wrapped[0])
