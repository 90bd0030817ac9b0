"""The main window: model list | version table over version detail, status bar, banner.

It lays the widgets out and wires them to the `SessionController` (which opens profiles
and keeps their data fresh) and to `MainActions`. Data flows one way: tasks fetch from the
gateway into the cache, and the window shows what the controller hands it. Nothing here
calls MLflow.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop import APP_NAME
from modelhub_desktop.core.domain import Credentials, Profile, RegisteredModel
from modelhub_desktop.core.sync import VersionsSnapshot
from modelhub_desktop.ui.actions import MainActions, show_about
from modelhub_desktop.ui.app_context import AppContext, StartOptions
from modelhub_desktop.ui.approval_feature import ApprovalFeature
from modelhub_desktop.ui.compare_tab import CompareTab
from modelhub_desktop.ui.deploy_feature import DeployFeature
from modelhub_desktop.ui.detail_loader import DetailLoader
from modelhub_desktop.ui.geometry import clamp_to_screen
from modelhub_desktop.ui.governance_feature import GovernanceFeature
from modelhub_desktop.ui.models.version_rows import RowBatch
from modelhub_desktop.ui.notice_bar import NoticeBar
from modelhub_desktop.ui.session_controller import SessionController
from modelhub_desktop.ui.smoke import StartupReadiness
from modelhub_desktop.ui.status import AppStatusBar
from modelhub_desktop.ui.views.changes_view import ChangesView
from modelhub_desktop.ui.views.model_list_view import ModelListView
from modelhub_desktop.ui.views.version_detail import VersionDetail
from modelhub_desktop.ui.views.version_table_view import VersionTableView

__all__ = ["AppContext", "MainWindow", "StartOptions"]

BANNER_STYLE = ("QLabel { background: #fff4ce; color: #5c4400; border: 1px solid #e0c36b;"
                " padding: 6px; border-radius: 3px; }")


class MainWindow(QMainWindow):
    #: models shown, versions shown, "online" | "offline" — emitted once, for --smoke.
    dataShown = Signal(int, int, str)  # noqa: N815
    #: a start-up failure nothing on screen can fix (used by --smoke).
    startFailed = Signal(str)  # noqa: N815

    def __init__(self, ctx: AppContext, profile: Profile, options: StartOptions) -> None:
        super().__init__()
        self.ctx = ctx
        self.options = options
        self._want_model = options.model
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 800)
        self.controller = SessionController(ctx, options, profile, self._ask_credentials, self)
        self._build_ui()
        self.main_actions = MainActions(self)
        self.connections_action = self.main_actions.connections
        self.detail_loader = DetailLoader(self.controller, self.detail, self.status, self)
        self._wire()
        self.deploy = DeployFeature(self)
        self.governance = GovernanceFeature(self)
        self.approval = ApprovalFeature(self)
        self._restore_state()
        self.readiness = StartupReadiness(self.controller, self._counts, self._missing_model,
                                          self)
        self.readiness.dataShown.connect(self.dataShown)
        self.readiness.startFailed.connect(self.startFailed)
        for problem in (ctx.profiles.problem, ctx.secrets.problem):
            self.notice.add(problem)
        QTimer.singleShot(0, lambda: self.open_profile(profile))

    # -- what tests and scripts read -------------------------------------------------------
    @property
    def profile(self) -> Profile:
        return self.controller.profile

    @property
    def session(self) -> Any:
        return self.controller.session

    @property
    def online(self) -> bool | None:
        return self.controller.online

    @property
    def compare_view(self) -> Any:
        return self.compare_tab.view

    def refresh(self) -> None:
        self.controller.refresh()

    def open_profile(self, profile: Profile, reason: str = "") -> None:
        self.controller.open_profile(profile, reason)

    # -- construction ----------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.status = AppStatusBar(self)
        self.setStatusBar(self.status)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 0)
        self.banner = QLabel("")
        self.banner.setObjectName("offlineBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()
        outer.addWidget(self.banner)
        self.notice = NoticeBar()
        outer.addWidget(self.notice)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("mainSplitter")
        self.model_list = ModelListView()
        self.right_splitter = QSplitter(Qt.Orientation.Vertical)
        self.right_splitter.setObjectName("rightSplitter")
        self.version_table = VersionTableView()
        self.detail = VersionDetail()
        self.right_splitter.addWidget(self.version_table)
        self.right_splitter.addWidget(self.detail)
        self.right_splitter.setSizes([420, 380])
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.right_splitter, "Versions")
        self.compare_tab = CompareTab(self.tabs, self.ctx.runner, self.ctx.settings, self.status,
                                      self)
        self.changes_view = ChangesView()
        self.changes_tab = self.tabs.addTab(self.changes_view, "Changes")
        self.main_splitter.addWidget(self.model_list)
        self.main_splitter.addWidget(self.tabs)
        self.main_splitter.setSizes([380, 900])
        self.main_splitter.setStretchFactor(1, 1)
        outer.addWidget(self.main_splitter, 1)
        self.setCentralWidget(central)

    def _wire(self) -> None:
        c, a = self.controller, self.main_actions
        c.profileOpened.connect(self._on_profile_opened)
        c.modelsShown.connect(self._on_models_shown)
        c.modeChanged.connect(lambda _mode: self._update_status())
        c.bannerChanged.connect(self._on_banner)
        c.statusMessage.connect(self.status.showMessage)
        c.busyChanged.connect(self.status.set_busy)
        c.progressed.connect(self.status.set_progress)
        c.changesChanged.connect(self._show_changes)
        c.noticed.connect(self.notice.add)
        c.searchFailed.connect(self.model_list.show_search_error)
        c.versionsCached.connect(self._on_versions_cached)
        c.versionsPage.connect(lambda _name, page: self.version_table.append_page(page))
        c.versionsLoaded.connect(self._on_versions_loaded)
        c.modelsSettled.connect(self._on_models_settled)
        c.failed.connect(lambda message: self.status.showMessage(message, 30000))
        self.model_list.modelSelected.connect(self._on_model_selected)
        self.model_list.serverSearchRequested.connect(c.search)
        self.version_table.versionSelected.connect(self.detail_loader.show)
        self.version_table.compareRequested.connect(self.compare_selected)
        self.changes_view.markReadRequested.connect(c.mark_changes_read)
        self.status.cancel_button.clicked.connect(c.cancel)
        a.refresh.triggered.connect(c.refresh)
        a.cancel.triggered.connect(c.cancel)
        a.find.triggered.connect(self._focus_search)
        a.quit.triggered.connect(self.close)
        a.connections.triggered.connect(self.show_connections)
        a.compare.triggered.connect(self.compare_selected)
        a.copy_uri.triggered.connect(self.detail.copy_uri)
        a.about.triggered.connect(lambda: show_about(self))
        a.profile_switcher.activated.connect(self._on_switch_profile)

    # -- state -----------------------------------------------------------------------------
    def _restore_state(self) -> None:
        s = self.ctx.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        for key, splitter in (("window/mainSplitter", self.main_splitter),
                              ("window/rightSplitter", self.right_splitter)):
            value = s.value(key)
            if isinstance(value, QByteArray):
                splitter.restoreState(value)

    def save_state(self) -> None:
        s = self.ctx.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/mainSplitter", self.main_splitter.saveState())
        s.setValue("window/rightSplitter", self.right_splitter.saveState())
        if self.controller.current_model:
            s.setValue(f"profiles/{self.profile.name}/lastModel", self.controller.current_model)
        self.compare_tab.save_options()
        s.sync()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        # the frame's size is known once shown: keep all of it on the available screen
        clamp_to_screen(self)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_state()
        self.ctx.runner.shutdown(5000)
        self.controller.close()
        super().closeEvent(event)

    # -- profiles --------------------------------------------------------------------------
    def _on_switch_profile(self, index: int) -> None:
        name = self.main_actions.profile_switcher.itemText(index)
        profile = self.ctx.profiles.get(name)
        if name != self.profile.name and profile is not None:
            self.open_profile(profile)

    def _ask_credentials(self, profile: Profile, reason: str) -> Credentials:
        """Ask the user for the profile's secret (headless: go on without one)."""
        if not self.options.interactive:
            return Credentials()
        from modelhub_desktop.ui.dialogs.secret_prompt import ask_credentials

        creds = ask_credentials(self, profile, reason, self.ctx.secrets)
        if creds is None:
            self.status.showMessage("Not connected: no credentials given.", 10000)
            return Credentials()
        return creds

    def _on_profile_opened(self, profile: Profile) -> None:
        self._fill_profiles(profile)
        self.setWindowTitle(f"{APP_NAME} — {profile.name}")
        last = self.ctx.settings.value(f"profiles/{profile.name}/lastModel", None)
        self._want_model = self._want_model or (str(last) if last else None)
        self.version_table.clear_rows(loading=False)
        self.detail.show_version(None, None)
        if self.options.origin:  # why this connection opened, said once
            self.status.showMessage(f"Opened {profile.name} ({self.options.origin})", 15000)
            self.options.origin = ""

    def _fill_profiles(self, current: Profile) -> None:
        self.main_actions.fill_profiles([p.name for p in self.ctx.profiles.list()], current.name)

    def show_connections(self) -> None:
        from modelhub_desktop.ui.dialogs.connection_dialog import ConnectionDialog

        dialog = ConnectionDialog(self.ctx.profiles, self.ctx.secrets, self.ctx.runner,
                                  current=self.profile, parent=self)
        if dialog.exec():
            chosen = dialog.selected_profile()
            self._fill_profiles(self.profile)
            if chosen is not None:
                self.open_profile(chosen)

    # -- models ------------------------------------------------------------------------------
    def _on_models_shown(self, models: list[RegisteredModel], reset: bool) -> None:
        self.model_list.set_models(models, reset=reset)
        self.version_table.set_registered_model(self.model_list.current_model())
        if models and (self.model_list.current_model() is None or self._wanted_now_listed()):
            self._select_initial_model()

    def _wanted_now_listed(self) -> bool:
        want, current = self.options.model, self.model_list.current_model()
        return bool(want) and (current is None or current.name != want) and any(
            m.name == want for m in self.model_list.model.records())

    def _select_initial_model(self) -> None:
        if not (self._want_model and self.model_list.select_model(str(self._want_model))):
            self.model_list.select_first()

    def _on_models_settled(self) -> None:
        missing = self._missing_model()
        if missing and self.options.interactive:
            self.notice.add(missing)
        self._update_status()

    def _missing_model(self) -> str:
        """The message for a `--model` the opened connection does not have ("" if it has)."""
        want = self.options.model
        if not want or any(m.name == want for m in self.model_list.model.records()):
            return ""
        from modelhub_desktop.core.start_profile import describe_missing_model

        return describe_missing_model(want, self.profile, dict(os.environ))

    def _counts(self) -> tuple[int, int]:
        return self.model_list.model.rowCount(), self.version_table.model.rowCount()

    def _on_model_selected(self, model: RegisteredModel | None) -> None:
        self.version_table.set_registered_model(model)
        if model is not None and model.name != self.controller.current_model:
            self.version_table.set_scope(self.ctx.settings, self.profile.cache_key, model.name)
            self.version_table.clear_rows()
            self.controller.load_versions(model.name)

    # -- versions ----------------------------------------------------------------------------
    def _on_versions_cached(self, _name: str, _cached: VersionsSnapshot, batch: RowBatch) -> None:
        self.version_table.show_rows(batch, reset=True)
        self.version_table.select_first()
        if not self.version_table.current_row():
            self.detail.show_version(None, None)

    def _on_versions_loaded(self, _snap: VersionsSnapshot, batch: RowBatch) -> None:
        was_empty = self.version_table.model.rowCount() == 0
        self.version_table.show_rows(batch, reset=was_empty)
        current = self.version_table.current_row()
        if current is None:
            self.version_table.select_first()
        else:
            self.detail_loader.show(current)

    # -- compare and changes -----------------------------------------------------------------
    def compare_selected(self) -> None:
        """Compare the selected versions (with fewer than two, the view picks a default)."""
        self.compare_tab.show(self.controller, self.version_table.selected_rows(),
                              self.version_table.model.records())

    def _show_changes(self) -> None:
        session = self.controller.session
        if session is None:
            return
        unread = session.cache.unread_changes()
        self.changes_view.set_changes(session.cache.changes(), unread)
        self.tabs.setTabText(self.changes_tab, f"Changes ({unread})" if unread else "Changes")

    # -- status ------------------------------------------------------------------------------
    def _on_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def _update_status(self) -> None:
        c = self.controller
        self.detail.set_online(c.can_write)
        mode = {None: "connecting", True: "online", False: "offline"}[c.online]
        self.status.show_connection(self.profile.name, self.profile.tracking_uri, mode,
                                    c.session.cache.last_sync() if c.session else None)

    def _focus_search(self) -> None:
        self.model_list.search.setFocus()
        self.model_list.search.selectAll()
