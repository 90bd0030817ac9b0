"""The `statusBar`: profile, server, last refresh, progress with cancel.

The profile/server text is elided (a long model or profile name, a deep sqlite path must
not widen the window) with everything in its tooltip; sqlite/file stores show as a path.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton

from modelhub_desktop.core.formatting import display_uri, fmt_ago, fmt_ts
from modelhub_desktop.ui.elided_label import ElidedLabel


class AppStatusBar(QStatusBar):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.profile_label = ElidedLabel(object_name="statusProfile", max_hint=420)
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
        """`server` is the tracking URI; a local store is shown as its file path."""
        where = display_uri(server)
        self.profile_label.setText(f"{name} · {where} · {mode}",
                                   tooltip=f"Profile: {name}\nServer: {server}\nMode: {mode}")

    def show_connection(self, name: str, server: str, mode: str, synced_ms: int | None) -> None:
        """Profile, server, mode and when the cache was last filled from the server."""
        self.set_profile(name, server, mode)
        now = int(time.time() * 1000)
        self.set_last_refresh(fmt_ago(synced_ms, now) if synced_ms else "never")
        self.refresh_label.setToolTip(fmt_ts(synced_ms) if synced_ms else "")

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
