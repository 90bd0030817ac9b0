"""The "Deleted models" window, opened from the History tab: the registry-wide audit log
from the local mirror at once, then read again from the server when online."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from modelhub_desktop.core.errors import ModelHubError
from modelhub_desktop.core.governance_store import GovernanceStore
from modelhub_desktop.core.registry_audit import read_log
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.views.deleted_models_view import DeletedModelsView

if TYPE_CHECKING:
    from modelhub_desktop.ui.governance_feature import GovernanceFeature


class DeletedModelsFlow(QObject):
    def __init__(self, feature: GovernanceFeature) -> None:
        super().__init__(feature)
        self.window = feature.window
        self.view: DeletedModelsView | None = None
        feature.history_view.deleted_button.clicked.connect(self.open)
        feature.writer.written.connect(lambda *_: self.show_mirror())

    def open(self) -> DeletedModelsView:
        """Show the window (one per main window), filled from the cache, then from the
        server."""
        if self.view is None:
            view = DeletedModelsView(self.window)
            view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            view.destroyed.connect(self._forget)
            view.refresh_button.clicked.connect(self.fetch)
            self.view = view
        self.show_mirror()
        self.view.show()
        self.view.activateWindow()
        self.fetch()
        return self.view

    def _forget(self) -> None:
        self.view = None

    def show_mirror(self, note: str = "") -> None:
        session = self.window.controller.session
        if self.view is None or session is None:
            return
        self.view.set_log(GovernanceStore(session.cache).registry_log(), note)

    def fetch(self) -> None:
        c = self.window.controller
        session = c.session
        if self.view is None or session is None:
            return
        if not c.can_write:
            self.show_mirror("Offline: as last read from the server.")
            return
        gateway, cache = session.gateway, session.cache

        def work(_task: object) -> None:
            GovernanceStore(cache).store_registry_log(read_log(gateway), complete=True)

        self.view.refresh_button.setEnabled(False)
        c.runner.submit(work, key=TaskKey.REGISTRY_LOG, owner=self.view,
                        description="read the registry-wide audit log",
                        on_result=lambda _r: self._fetched(""), on_error=self._failed)

    def _failed(self, error: ModelHubError) -> None:
        self._fetched(f"Could not read it from the server now ({error.title}: {error}); "
                      "shown as last read.")

    def _fetched(self, note: str) -> None:
        if self.view is not None:
            self.view.refresh_button.setEnabled(True)
        self.show_mirror(note)

    def close(self) -> None:
        if self.view is not None:
            self.view.close()
