"""Fail a test that leaves work behind: a task still running in a `TaskRunner`, a live
QThreadPool job, an active QTimer, or a top-level window still open.

Left-over work lands in the next test (a result delivered to a closed window, a timer
firing into a deleted cache) and shows up there as a flaky failure or a crash far from
its cause. The check runs after pytest-qt has closed the widgets given to
`qtbot.addWidget` and processed pending events; what leaked is reported with where it
was started, then cleaned up so the next test starts clean.

A test that must leave something running says so: `@pytest.mark.allow_leaks("timers")`
(kinds: tasks, pools, timers, widgets; no argument = all).
"""

from __future__ import annotations

import gc
import itertools
import sys
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

KINDS = ("tasks", "pools", "timers", "widgets")
_HERE = str(Path(__file__).resolve())
_POOL_WAIT_MS = 2000
_GRACE_S = 0.1  # a zero or short single-shot timer may still fire in this time
_tokens = itertools.count()


def _caller() -> str:
    """Where the timer was started: the innermost frame outside this file and Qt's wrappers."""
    for frame in reversed(traceback.extract_stack()[:-1]):
        if frame.filename != _HERE and "pytestqt" not in frame.filename:
            return f"{frame.filename}:{frame.lineno} in {frame.name}"
    return "<unknown>"


@dataclass
class TimerTracker:
    """Wraps QTimer.start and QTimer.singleShot while a test runs (napari does the same)."""

    started: weakref.WeakKeyDictionary[Any, str] = field(
        default_factory=weakref.WeakKeyDictionary)
    pending_single_shots: dict[int, str] = field(default_factory=dict)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from PySide6.QtCore import QObject, QTimer

        base_start = QTimer.start
        base_single_shot = QTimer.singleShot
        started = self.started
        pending = self.pending_single_shots

        def start(timer: QTimer, *args: Any) -> None:
            started[timer] = _caller()
            base_start(timer, *args)

        def single_shot(*args: Any) -> None:
            # singleShot(msec, functor), (msec, context, functor), (msec, type, context,
            # functor); a receiver + SLOT string has no Python callable to follow.
            functor = args[-1]
            if not callable(functor):
                base_single_shot(*args)
                return
            token = next(_tokens)
            pending[token] = _caller()

            def fire() -> None:
                pending.pop(token, None)
                functor()

            context = next((a for a in args[1:-1] if isinstance(a, QObject)), None)
            if context is None and isinstance(getattr(functor, "__self__", None), QObject):
                # keep PySide's rule: a QObject's method is not called once the object is gone
                context = functor.__self__
                args = (args[0], context, functor)
            if context is not None:
                # Qt drops the call when the context dies: then nothing is pending either
                context.destroyed.connect(lambda *_: pending.pop(token, None))
            base_single_shot(*args[:-1], fire)

        monkeypatch.setattr(QTimer, "start", start)
        monkeypatch.setattr(QTimer, "singleShot", staticmethod(single_shot))

    def settle(self) -> None:
        """Let short single-shot timers fire; a repeating timer stays active regardless."""
        deadline = time.monotonic() + _GRACE_S
        while time.monotonic() < deadline and (
                self.pending_single_shots
                or any(t.isSingleShot() for t, _ in self.active())):
            _process_events()
            time.sleep(0.005)

    def active(self) -> list[tuple[Any, str]]:
        live = []
        for timer, where in list(self.started.items()):
            with suppress(RuntimeError):  # its C++ object is gone: not active
                if timer.isActive():
                    live.append((timer, where))
        return live


def _process_events() -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    app = QCoreApplication.instance()
    if app is None:
        return
    app.processEvents()
    # closed windows were deleteLater()-ed: delete them now, with the timers they own
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()


def _open_windows() -> list[Any]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        return []
    transient = {Qt.WindowType.ToolTip, Qt.WindowType.Popup}
    return [w for w in QApplication.topLevelWidgets()
            if w.isVisible() and w.windowType() not in transient]


def _leaked_tasks() -> list[tuple[Any, list[str]]]:
    from modelhub_desktop.ui.tasks import TaskRunner

    return [(runner, active) for runner in TaskRunner.instances() if (active := runner.active())]


def _busy_pools() -> list[tuple[str, Callable[[], None]]]:
    from PySide6.QtCore import QThreadPool

    from modelhub_desktop.ui.tasks import TaskRunner

    busy: list[tuple[str, Callable[[], None]]] = []
    pool = QThreadPool.globalInstance()
    if not pool.waitForDone(_POOL_WAIT_MS):
        busy.append((f"the global QThreadPool ({pool.activeThreadCount()} thread(s) busy)",
                     pool.clear))
    for runner in TaskRunner.instances():
        if not runner.wait_idle(_POOL_WAIT_MS):
            busy.append((f"a job in the pools of {runner!r}", runner.cancel_all))
    return busy


def _allowed(item: pytest.Item) -> set[str]:
    marker = item.get_closest_marker("allow_leaks")
    if marker is None:
        return set()
    kinds = set(marker.args) or set(KINDS)
    unknown = kinds - set(KINDS)
    if unknown:
        raise pytest.UsageError(f"allow_leaks: unknown kind(s) {sorted(unknown)}; use {KINDS}")
    return kinds


def check_leaks(request: pytest.FixtureRequest,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The body of the autouse fixture in conftest.py."""
    if "PySide6.QtCore" not in sys.modules:  # a test that never touched Qt
        yield
        return
    from PySide6.QtWidgets import QApplication

    allowed = _allowed(request.node)
    timers = TimerTracker()
    timers.install(monkeypatch)
    yield
    if QApplication.instance() is None:  # no event loop: nothing can have run
        return
    _process_events()
    problems: list[str] = []
    if "modelhub_desktop.ui.tasks" in sys.modules:
        for runner, active in _leaked_tasks():
            if "tasks" not in allowed:
                problems.append(f"task(s) still running in a TaskRunner: {active}")
            runner.shutdown()
        for what, clean in _busy_pools():
            if "pools" not in allowed:
                problems.append(f"QThreadPool work still running: {what}")
            clean()
    timers.settle()
    for timer, where in timers.active():
        if "timers" not in allowed:
            problems.append(f"active QTimer ({timer.interval()} ms) started at {where}")
        with suppress(RuntimeError):
            timer.stop()
    for where in timers.pending_single_shots.values():
        if "timers" not in allowed:
            problems.append(f"QTimer.singleShot not yet fired, from {where}")
    for window in _open_windows():
        if "widgets" not in allowed:
            problems.append(f"top-level window left open: {type(window).__name__} "
                            f"{window.objectName()!r} {window.windowTitle()!r} (give it to "
                            "qtbot.addWidget or close it)")
        window.close()
        window.deleteLater()
    _process_events()
    # Cycles are collected here, with every window of the test deleted, not at whatever
    # allocation the next test makes inside a Qt callback (conftest turns automatic
    # collection off): collecting PySide wrappers mid-callback has crashed the interpreter.
    gc.collect()
    _process_events()
    if problems:
        pytest.fail("the test left work behind:\n  - " + "\n  - ".join(problems)
                    + "\nWait for it to finish (qtbot.waitUntil / waitSignal), stop it, or mark "
                    "the test @pytest.mark.allow_leaks(kind) with a reason.", pytrace=False)
