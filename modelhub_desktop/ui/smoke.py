"""Start-up readiness: when is the first data on screen, and the `--smoke` line.

The `--smoke` line is a stable interface read by packaging checks (see DESIGN.md):
    smoke ok profile=Local mode=online models=3 versions=6 window_s=0.41 data_s=1.9
Fields are only ever added at the end.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from modelhub_desktop.ui.session_controller import SessionController

SMOKE_TIMEOUT_S = 180


class StartupReadiness(QObject):
    """Emits `dataShown` once the model list and the opened model's versions are shown as
    the server (or, offline, the cache) has them; `startFailed` if that cannot happen."""

    dataShown = Signal(int, int, str)  # noqa: N815 - models, versions, "online" | "offline"
    startFailed = Signal(str)  # noqa: N815

    def __init__(self, controller: SessionController, counts: Callable[[], tuple[int, int]],
                 missing_model: Callable[[], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._counts = counts
        self._missing_model = missing_model
        self._models_ready = False
        self._versions_of: str | None = None
        self.done = False
        controller.modelsSettled.connect(self._on_models)
        controller.versionsSettled.connect(self._on_versions)
        controller.failed.connect(self.fail)

    def _on_models(self) -> None:
        self._models_ready = True
        self._check()

    def _on_versions(self, name: str) -> None:
        self._versions_of = name
        self._check()

    def fail(self, reason: str) -> None:
        if not self.done:
            self.done = True
            self.startFailed.emit(reason)

    def _check(self) -> None:
        if self.done or not self._models_ready:
            return
        missing = self._missing_model()
        if missing:
            self.fail(missing)
            return
        models, versions = self._counts()
        current = self._controller.current_model
        if models and self._versions_of != current:
            return  # the shown model's versions are still on their way
        self.done = True
        self.dataShown.emit(models, versions, "online" if self._controller.online else "offline")


def run_headless(window: QWidget, readiness: StartupReadiness, profile_name: Callable[[], str],
                 timings: dict[str, float], uptime: Callable[[], float], smoke: bool,
                 screenshot: str | None, outcome: dict[str, int]) -> None:
    """Print the smoke line and/or save a screenshot once the data is shown, then quit."""

    def on_data(models: int, versions: int, mode: str) -> None:
        timings["data_s"] = uptime()
        timings.setdefault("window_s", timings["data_s"])
        if screenshot:
            QTimer.singleShot(400, lambda: save_screenshot(window, screenshot))
        if smoke:
            print(f"smoke ok profile={profile_name()} mode={mode} models={models} "
                  f"versions={versions} window_s={timings.get('window_s', 0):.2f} "
                  f"data_s={timings['data_s']:.2f}", flush=True)
        QTimer.singleShot(900 if screenshot else 0, window.close)

    def on_fail(reason: str) -> None:
        outcome["code"] = 1
        if smoke:
            print(f"smoke fail reason={reason}", flush=True)
        else:
            print(f"modelhub-desktop: {reason}", file=sys.stderr)
        QTimer.singleShot(0, window.close)

    readiness.dataShown.connect(on_data)
    readiness.startFailed.connect(on_fail)
    timeout = QTimer(window)
    timeout.setSingleShot(True)
    timeout.timeout.connect(
        lambda: readiness.fail(f"timeout after {SMOKE_TIMEOUT_S}s waiting for data"))
    timeout.start(SMOKE_TIMEOUT_S * 1000)


def save_screenshot(window: QWidget, path: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(target))
