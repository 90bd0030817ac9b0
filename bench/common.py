"""Shared helpers for the benchmarks: a real local server, a UI-stall probe."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def start_server(tag: str):  # type: ignore[no-untyped-def]
    from tests.servers import MlflowServer

    root = Path(tempfile.mkdtemp(prefix=f"modelhub-bench-{tag}-"))
    return MlflowServer(root).start()


class StallProbe:
    """Largest gap between ticks of a 10 ms QTimer on the UI thread."""

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import QTimer

        self.interval_ms = interval_ms
        self.max_gap_ms = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap_ms = max(self.max_gap_ms, (now - self._last) * 1000)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.max_gap_ms


def wait_until(predicate, timeout_s: float = 300.0) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark step timed out")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
