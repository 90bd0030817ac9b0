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


from tests.helpers import StallProbe  # noqa: E402  (re-exported for the benchmarks)

__all__ = ["ROOT", "StallProbe", "start_server", "wait_until"]


def start_server(tag: str):  # type: ignore[no-untyped-def]
    from tests.servers import MlflowServer

    root = Path(tempfile.mkdtemp(prefix=f"modelhub-bench-{tag}-"))
    return MlflowServer(root).start()


def wait_until(predicate, timeout_s: float = 300.0) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark step timed out")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
