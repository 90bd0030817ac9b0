"""The `statusBar`: profile, server, last refresh, progress with cancel."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton


class AppStatusBar(QStatusBar):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.profile_label = QLabel("")
        self.profile_label.setObjectName("statusProfile")
        self.refresh_label = QLabel("")
        self.refresh_label.setObjectName("statusLastRefresh")
        self.progress = QProgressBar()
        self.progress.setObjectName("statusProgress")
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.cancel_button = QToolButton()
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Cancel the running refresh (Esc)")
        self.cancel_button.hide()
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.cancel_button)
        self.addPermanentWidget(self.refresh_label)
        self.addPermanentWidget(self.profile_label)

    def set_profile(self, name: str, server: str, mode: str) -> None:
        self.profile_label.setText(f"  {name} · {server} · {mode}  ")
        self.profile_label.setToolTip(server)

    def set_last_refresh(self, text: str) -> None:
        self.refresh_label.setText(f"  Last refresh: {text}  ")

    def set_busy(self, busy: bool, cancellable: bool = True) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy and cancellable)
        if busy:
            self.progress.setRange(0, 0)

    def set_progress(self, done: int, total: int, message: str) -> None:
        self.progress.show()
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        else:
            self.progress.setRange(0, 0)
        if message:
            self.showMessage(message)
