"""TaskRunner: results and errors come back on the UI thread, by the task's own signals;
a superseded task is asked to stop and its result dropped; a closed owner gets nothing;
writes run one at a time."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QThread

from modelhub_desktop.core.errors import ModelHubError, Unreachable
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.tasks import TaskRunner
from tests.helpers import wait_for_tasks


def test_result_arrives_on_ui_thread(qtbot) -> None:
    runner = TaskRunner()
    got: list[tuple[int, bool]] = []
    ui_thread = QThread.currentThread()
    finished: list[bool] = []
    task = runner.submit(lambda ctx: threading.get_ident(),
                         on_result=lambda r: got.append((r, QThread.currentThread() is ui_thread)))
    task.finished.connect(lambda: finished.append(True))
    wait_for_tasks(qtbot, runner, timeout=5000)
    assert finished == [True]
    assert got[0][0] != threading.get_ident()
    assert got[0][1] is True
    assert runner.active() == []


def test_errors_are_values(qtbot) -> None:
    runner = TaskRunner()
    errors: list[ModelHubError] = []
    reported: list[ModelHubError] = []
    runner.taskError.connect(reported.append)

    def fail(ctx: TaskContext) -> None:
        raise Unreachable("server down")

    def crash(ctx: TaskContext) -> None:
        raise KeyError("boom")

    runner.submit(fail, on_error=errors.append)
    runner.submit(crash, on_error=errors.append)
    wait_for_tasks(qtbot, runner, timeout=5000)
    assert any(isinstance(e, Unreachable) for e in errors)
    assert any("KeyError" in str(e) for e in errors)
    assert len(reported) == 2  # one place shows every error


def test_newer_task_with_same_key_supersedes_and_cancels_the_older(qtbot) -> None:
    runner = TaskRunner()
    results: list[str] = []
    seen_cancel: list[bool] = []
    started = threading.Event()

    def slow(ctx: TaskContext) -> str:
        started.set()
        for _ in range(500):
            if ctx.cancelled:
                seen_cancel.append(True)
                return "cancelled-old"
            time.sleep(0.01)
        return "old"

    runner.submit(slow, key=TaskKey.REFRESH_VERSIONS, scope="m", on_result=results.append)
    assert started.wait(5)
    runner.submit(lambda ctx: "other scope", key=TaskKey.REFRESH_VERSIONS, scope="n",
                  on_result=results.append)
    runner.submit(lambda ctx: "new", key=TaskKey.REFRESH_VERSIONS, scope="m",
                  on_result=results.append)
    wait_for_tasks(qtbot, runner, timeout=5000)
    assert sorted(results) == ["new", "other scope"]
    assert seen_cancel == [True]
    assert not runner.is_running(TaskKey.REFRESH_VERSIONS, "m")


def test_result_for_a_deleted_owner_is_dropped(qtbot) -> None:
    runner = TaskRunner()
    owner = QObject()
    delivered: list[object] = []
    release = threading.Event()
    runner.submit(lambda ctx: release.wait(5) and "late", owner=owner,
                  on_result=delivered.append)
    with qtbot.waitSignal(owner.destroyed, timeout=5000):
        owner.deleteLater()
    release.set()
    wait_for_tasks(qtbot, runner, timeout=5000)
    assert delivered == []


def test_cancel_by_key_stops_the_task_and_drops_its_result(qtbot) -> None:
    runner = TaskRunner()
    results: list[object] = []
    errors: list[ModelHubError] = []
    started = threading.Event()

    def wait_for_cancel(ctx: TaskContext) -> str:
        started.set()
        while not ctx.cancelled:
            time.sleep(0.005)
        ctx.check()  # raises Cancelled
        return "never"

    runner.submit(wait_for_cancel, key=TaskKey.HISTORIES, on_result=results.append,
                  on_error=errors.append)
    assert started.wait(5)
    assert runner.is_running(TaskKey.HISTORIES)
    runner.cancel(TaskKey.HISTORIES)
    wait_for_tasks(qtbot, runner, timeout=5000)
    assert results == []


def test_mutations_run_one_at_a_time(qtbot) -> None:
    runner = TaskRunner()
    active: list[int] = []
    peak: list[int] = []
    lock = threading.Lock()

    def mutate(ctx: TaskContext) -> bool:
        with lock:
            active.append(1)
            peak.append(len(active))
        time.sleep(0.05)
        with lock:
            active.pop()
        return True

    done: list[bool] = []
    for _ in range(4):
        runner.submit(mutate, mutation=True, on_result=done.append)
    wait_for_tasks(qtbot, runner, timeout=5000)
    assert done == [True] * 4
    assert max(peak) == 1
