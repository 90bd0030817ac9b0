"""TaskRunner: results and errors come back on the UI thread; stale results are dropped."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread

from modelhub_desktop.core.errors import ModelHubError, Unreachable
from modelhub_desktop.ui.tasks import TaskRunner


def test_result_arrives_on_ui_thread(qtbot) -> None:
    runner = TaskRunner()
    got: list[tuple[int, bool]] = []
    ui_thread = QThread.currentThread()
    runner.submit(lambda ctx: threading.get_ident(),
                  on_result=lambda r: got.append((r, QThread.currentThread() is ui_thread)))
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert got[0][0] != threading.get_ident()
    assert got[0][1] is True
    runner.shutdown()


def test_errors_are_values(qtbot) -> None:
    runner = TaskRunner()
    errors: list[ModelHubError] = []

    def fail(ctx):
        raise Unreachable("server down")

    def crash(ctx):
        raise KeyError("boom")

    runner.submit(fail, on_error=errors.append)
    runner.submit(crash, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=5000)
    assert any(isinstance(e, Unreachable) for e in errors)
    assert any("KeyError" in str(e) for e in errors)
    runner.shutdown()


def test_stale_result_is_dropped_and_cancel_is_cooperative(qtbot) -> None:
    runner = TaskRunner()
    results: list[str] = []
    started = threading.Event()

    def slow(ctx):
        started.set()
        for _ in range(200):
            if ctx.cancelled:
                return "cancelled-old"
            time.sleep(0.01)
        return "old"

    old = runner.submit(slow, key="k", on_result=results.append)
    started.wait(5)
    runner.submit(lambda ctx: "new", key="k", on_result=results.append)
    qtbot.waitUntil(lambda: "new" in results, timeout=5000)
    qtbot.waitUntil(lambda: old.done, timeout=5000)
    assert results == ["new"]
    assert old.context.cancelled
    runner.shutdown()


def test_mutations_run_one_at_a_time(qtbot) -> None:
    runner = TaskRunner()
    active = []
    peak = []
    lock = threading.Lock()

    def mutate(ctx):
        with lock:
            active.append(1)
            peak.append(len(active))
        time.sleep(0.05)
        with lock:
            active.pop()
        return True

    done = []
    for _ in range(4):
        runner.submit(mutate, mutation=True, on_result=done.append)
    qtbot.waitUntil(lambda: len(done) == 4, timeout=5000)
    assert max(peak) == 1
    runner.shutdown()
