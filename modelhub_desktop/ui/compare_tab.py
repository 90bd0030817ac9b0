"""The Compare tab: a placeholder until first used, then the compare view.

The compare view pulls in pyqtgraph and numpy; building it only when asked keeps them
off the start-up path.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtWidgets import QLabel, QStatusBar, QTabWidget

from modelhub_desktop.ui.models.version_rows import VersionRow
from modelhub_desktop.ui.session_controller import SessionController
from modelhub_desktop.ui.tasks import TaskRunner


class CompareTab(QObject):
    """Owns the Compare tab of `tabs`; `show` compares and brings the tab forward."""

    def __init__(self, tabs: QTabWidget, runner: TaskRunner, settings: QSettings,
                 status: QStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tabs, self._runner, self._settings, self._status = tabs, runner, settings, status
        self.view: Any = None
        placeholder = QLabel("Select two or more versions and press Compare (Ctrl+M).")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.index = tabs.addTab(placeholder, "Compare")

    def _build(self) -> Any:
        from modelhub_desktop.ui.views.compare_view import CompareView

        view = CompareView(self._runner)
        view.restore_options(self._settings)
        view.statusMessage.connect(lambda m: self._status.showMessage(m, 10000))
        placeholder = self._tabs.widget(self.index)
        self._tabs.removeTab(self.index)
        self._tabs.insertTab(self.index, view, "Compare")
        if placeholder is not None:
            placeholder.deleteLater()
        return view

    def show(self, controller: SessionController, selected: list[VersionRow],
             records: list[VersionRow]) -> None:
        """Compare `selected` (with fewer than two, the view picks a default)."""
        if self.view is None:
            self.view = self._build()
        session = controller.session
        if session is not None:
            self.view.set_context(session.gateway, session.cache, controller.can_write)
        self.view.compare(controller.current_model, selected, records)
        self._tabs.setCurrentIndex(self.index)

    def save_options(self) -> None:
        if self.view is not None:
            self.view.save_options(self._settings)
