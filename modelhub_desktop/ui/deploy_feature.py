"""Deploying versions, wired into the main window.

It adds "Deploy…" (Ctrl+D) to the Model menu and to the version table's context menu,
a "Deployments" tab (`deploymentsView`), the version table's "Deployed by" values and
the detail pane's line of deployments. It follows the session: the deployments view
reads the connected profile's cache and settings, deploy actions are disabled offline
with the reason, and when the window closes the deploy service stops the servers that
were not asked to keep running.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from modelhub_desktop.core.deploy.base import RUNNING, DeploymentRecord
from modelhub_desktop.core.domain import ModelVersion, Profile
from modelhub_desktop.core.errors import NotFound, Unreachable
from modelhub_desktop.ui.deploy_api import DeployApi
from modelhub_desktop.ui.deploy_settings import DeploySettings
from modelhub_desktop.ui.dialogs.deploy_dialog import DeployDialog
from modelhub_desktop.ui.dialogs.deploy_logs_dialog import DeployLogsDialog
from modelhub_desktop.ui.dialogs.update_deployment_dialog import UpdateDeploymentDialog
from modelhub_desktop.ui.models.version_rows import VersionRow
from modelhub_desktop.ui.views.deployments_view import DeploymentsView

if TYPE_CHECKING:
    from modelhub_desktop.ui.main_window import MainWindow

OFFLINE_REASON = "Offline: deploying needs the MLflow server (the model is downloaded from it)."


def deployed_by(records: Sequence[DeploymentRecord], model_name: str) -> dict[int, str]:
    """Version -> the deployments serving it ("name" or "name (stopped)")."""
    out: dict[int, list[str]] = {}
    for r in sorted(records, key=lambda r: r.name):
        if r.model_name == model_name and r.version:
            shown = r.name if r.status == RUNNING else f"{r.name} ({r.status})"
            out.setdefault(r.version, []).append(shown)
    return {v: ", ".join(names) for v, names in out.items()}


def detail_line(records: Sequence[DeploymentRecord], version: ModelVersion) -> str:
    """The detail pane's line about a version's deployments ("" when it has none)."""
    mine = [r for r in records if r.model_name == version.model_name
            and r.version == version.version]
    if not mine:
        return ""
    parts = [f"{r.name} ({r.status}{', ' + r.endpoint if r.endpoint else ''})" for r in mine]
    return "Deployed as " + "; ".join(parts)


class SessionDeployApi(DeployApi, Protocol):
    """The deploy service, told which profile (and gateway) new deployments come from."""

    def set_session(self, profile: Profile | None, gateway: Any) -> None: ...


def default_service(window: MainWindow) -> SessionDeployApi:
    """The app's deploy service, over this window's data directories."""
    from modelhub_desktop.core.deploy.service import DeployService

    return DeployService(window.ctx.paths)


class DeployFeature(QObject):
    """Deploy actions, the deployments tab and the deployment columns of one window."""

    def __init__(self, window: MainWindow,
                 service_factory: Callable[[MainWindow], SessionDeployApi] = default_service
                 ) -> None:
        super().__init__(window)
        self.window = window
        self.service = service_factory(window)
        self.records: list[DeploymentRecord] = []
        self.dialog: DeployDialog | None = None
        self.update_dialog: UpdateDeploymentDialog | None = None
        self.logs_dialog: DeployLogsDialog | None = None
        self._shut = False
        self.view = DeploymentsView(self.service, window.ctx.runner, self._example, window)
        self.tab = window.tabs.addTab(self.view, "Deployments")
        self.action = QAction("&Deploy…", window)
        self.action.setObjectName("deployAction")
        self.action.setShortcut(QKeySequence("Ctrl+D"))
        self.action.triggered.connect(self.deploy_current)
        window.addAction(self.action)
        model_menu = self._model_menu()
        if model_menu is not None:
            model_menu.addSeparator()
            model_menu.addAction(self.action)
        self._wire()
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._update_enabled()
        self.view.load()

    def _model_menu(self) -> QMenu | None:
        for act in self.window.menuBar().actions():
            menu = act.menu()
            if act.text().replace("&", "") == "Model" and isinstance(menu, QMenu):
                return menu
        return None

    def _wire(self) -> None:
        w, c = self.window, self.window.controller
        c.profileOpened.connect(self._on_profile)
        c.modeChanged.connect(lambda _mode: self._update_enabled())
        c.modelsShown.connect(lambda *_: self.view.show_records(self.view.records()))
        for signal in (c.versionsCached, c.versionsLoaded):
            signal.connect(lambda *_: self._show_deployed_by())
        w.version_table.menuRequested.connect(self._add_menu_actions)
        w.version_table.versionSelected.connect(
            lambda row: self._show_detail_line(row.version if row is not None else None))
        self.view.recordsChanged.connect(self._on_records)
        self.view.updateRequested.connect(self.confirm_update)
        self.view.logsRequested.connect(self.show_logs)
        self.view.message.connect(lambda text, ms: w.status.showMessage(text, ms))

    # -- session --------------------------------------------------------------------------
    def _on_profile(self, profile: Profile) -> None:
        session = self.window.controller.session
        self.service.set_session(profile if session else None,
                                 session.gateway if session else None)
        models = self.window.model_list.model
        self.view.set_profile(lambda: {m.name: m.aliases for m in models.records()},
                              DeploySettings(self.window.ctx.settings, profile.name))
        self._update_enabled()

    def _update_enabled(self) -> None:
        online = self.window.controller.can_write
        self.view.set_online(online)
        has_version = self.window.version_table.current_row() is not None
        self.action.setEnabled(online)
        self.action.setToolTip("Deploy the selected version as a service (Ctrl+D)" if online
                               else OFFLINE_REASON)
        self.action.setStatusTip(self.action.toolTip() if has_version or not online
                                 else "Select a version to deploy")

    def _on_records(self, records: list[DeploymentRecord]) -> None:
        self.records = list(records)
        running = sum(1 for r in records if r.status == RUNNING)
        self.window.tabs.setTabText(self.tab, f"Deployments ({running})" if running
                                    else "Deployments")
        self._show_deployed_by()
        self._show_detail_line()

    def _show_deployed_by(self) -> None:
        table = self.window.version_table
        table.set_deployed_by(deployed_by(self.records, table.model_name))

    def _show_detail_line(self, version: ModelVersion | None = None) -> None:
        """The detail pane's line for `version` (default: the version it shows)."""
        detail = self.window.detail
        version = version or detail.version
        detail.set_deployments(detail_line(self.records, version) if version else "")

    # -- deploy ---------------------------------------------------------------------------
    def _add_menu_actions(self, menu: QMenu, rows: list[VersionRow]) -> None:
        if len(rows) != 1:
            return
        menu.addAction(self.action)
        served = [r for r in self.records if r.model_name == rows[0].version.model_name
                  and r.version == rows[0].version.version]
        if served:
            show = menu.addAction(f"Show deployment {served[0].name}")
            show.triggered.connect(lambda: self.show_deployment(served[0].name))

    def show_deployment(self, name: str) -> None:
        self.window.tabs.setCurrentWidget(self.view)
        self.view.select(name)

    def deploy_current(self) -> DeployDialog | None:
        """Open the deploy dialog for the selected version."""
        row = self.window.version_table.current_row()
        if row is None:
            self.window.status.showMessage("Select a version to deploy.", 5000)
            return None
        if not self.window.controller.can_write:
            self.window.status.showMessage(OFFLINE_REASON, 8000)
            return None
        return self.open_dialog(row.version)

    def open_dialog(self, version: ModelVersion) -> DeployDialog:
        profile = self.window.profile
        model = self.window.model_list.current_model()
        aliases = dict(model.aliases) if model is not None and \
            model.name == version.model_name else {a: version.version for a in version.aliases}
        dialog = DeployDialog(self.service, self.window.ctx.runner,
                              DeploySettings(self.window.ctx.settings, profile.name), version,
                              aliases, self.view.records(), self.window.controller.can_write,
                              self.window)
        dialog.deployed.connect(self._deployed)
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _deployed(self, record: DeploymentRecord) -> None:
        self.window.status.showMessage(
            f"{record.name} serves {record.model_uri} at {record.endpoint}", 15000)
        self.show_deployment(record.name)
        self.view.load()

    # -- update and logs of a deployment ------------------------------------------------------
    def confirm_update(self, record: DeploymentRecord, target: int | None) -> None:
        """Which version (or the alias's `target`), with the metric differences first."""
        session = self.window.controller.session
        versions = session.cache.versions(record.model_name) if session else []
        runs = session.cache.runs(v.run_id for v in versions) if session else {}
        dialog = UpdateDeploymentDialog(record, versions, runs, target, self.window)

        def accepted() -> None:
            version = dialog.chosen_version()
            if version is not None:
                self.view.update_to(record, version, follow=target is not None)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: setattr(self, "update_dialog", None))
        self.update_dialog = dialog
        dialog.open()

    def show_logs(self, record: DeploymentRecord) -> None:
        service = self.service
        dialog = DeployLogsDialog(self.window.ctx.runner, record,
                                  lambda r, n: service.logs(r, n), self.window)
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: setattr(self, "logs_dialog", None))
        self.logs_dialog = dialog
        dialog.open()

    # -- the served version's example -------------------------------------------------------
    def _example(self, record: DeploymentRecord) -> str | None:
        """(worker) The served version's serving input example."""
        from modelhub_desktop.core.deploy.examples import serving_example

        session = self.window.controller.session
        if session is None:
            raise Unreachable("Not connected: the input example is read from the server.")
        cached = next((v for v in session.cache.versions(record.model_name)
                       if v.version == record.version), None)
        try:
            version = cached or session.gateway.get_version(record.model_name, record.version)
        except NotFound:
            return None
        return serving_example(session.gateway, version)

    # -- quitting -------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False

    def shutdown(self) -> None:
        """Stop polling and the servers that were not asked to keep running (once)."""
        if self._shut:
            return
        self._shut = True
        self.view.shut()
        self.service.shutdown()
