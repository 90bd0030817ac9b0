"""The UI-stall probe shared by tests and benchmarks: the largest gap between timer ticks.

A timer on the UI thread that should tick every few milliseconds; when the thread is busy
(or blocked on a lock, the network or the GIL) the ticks stop, and the longest gap is how
long the window was frozen.
"""

from __future__ import annotations

import time


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
