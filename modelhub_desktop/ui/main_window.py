"""The main window: model list | version table over version detail, status bar, banner.

Data flows one way: tasks fetch from the gateway into the cache, and the window shows
what the cache (or the task result that was just cached) holds. Nothing here calls
MLflow directly.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop import APP_NAME, __version__
from modelhub_desktop.core.domain import Credentials, Profile, RegisteredModel
from modelhub_desktop.core.errors import (
    AuthFailed,
    Cancelled,
    InvalidInput,
    ModelHubError,
    StorageError,
    Unreachable,
)
from modelhub_desktop.core.formatting import fmt_ago, fmt_ts
from modelhub_desktop.core.lineage import VersionLineage, mlflow_ui_url, version_lineage
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.session import ProfileSession
from modelhub_desktop.core.sync import (
    ModelsSnapshot,
    VersionsPage,
    VersionsSnapshot,
    cached_models,
    cached_versions,
    refresh_models,
    refresh_versions,
    search_models,
)
from modelhub_desktop.ui.models.version_table_model import KeyStats, VersionRow, key_stats_of
from modelhub_desktop.ui.notice_bar import NoticeBar
from modelhub_desktop.ui.status import AppStatusBar
from modelhub_desktop.ui.tasks import TaskRunner
from modelhub_desktop.ui.views.changes_view import ChangesView
from modelhub_desktop.ui.views.model_list_view import ModelListView
from modelhub_desktop.ui.views.version_detail import VersionDetail
from modelhub_desktop.ui.views.version_table_view import VersionTableView

log = logging.getLogger(__name__)

RETRY_DELAYS_S = (5, 10, 20, 40, 60)


@dataclass
class StartOptions:
    """What the command line asked for."""

    demo: bool = False
    model: str | None = None
    offline: bool = False
    interactive: bool = True  # False for --smoke/--screenshot: never open a modal dialog


@dataclass
class AppContext:
    """Long-lived services shared by windows and dialogs."""

    paths: AppPaths
    profiles: Any  # core.profiles.ProfileStore
    secrets: Any  # core.profiles.SecretStore
    runner: TaskRunner
    settings: QSettings


class MainWindow(QMainWindow):
    #: models shown, versions shown, "online" | "offline" — emitted once, for --smoke.
    dataShown = Signal(int, int, str)  # noqa: N815
    #: a start-up failure nothing on screen can fix (used by --smoke).
    startFailed = Signal(str)  # noqa: N815

    def __init__(self, ctx: AppContext, profile: Profile, options: StartOptions) -> None:
        super().__init__()
        self.ctx = ctx
        self.options = options
        self.profile = profile
        self.session: ProfileSession | None = None
        self.online: bool | None = None
        self._retry_index = 0
        self._current_model: str = ""
        self._want_model = options.model
        self._initial_done = False
        self._models_ready = False
        self._versions_ready = False
        self._refresh_handle: Any = None
        self._cached_shown = ""  # the model whose cached versions are on screen
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 800)
        self._build_ui()
        self._build_actions()
        self._restore_state()
        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.timeout.connect(self.refresh)
        self.ctx.runner.taskError.connect(self._on_task_error)
        for problem in (ctx.profiles.problem, ctx.secrets.problem):
            self.notice.add(problem)
        QTimer.singleShot(0, lambda: self.open_profile(profile))

    # -- construction --------------------------------------------------------------------
    def _build_ui(self) -> None:
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 0)
        self.banner = QLabel("")
        self.banner.setObjectName("offlineBanner")
        self.banner.setStyleSheet(
            "QLabel { background: #fff4ce; color: #5c4400; border: 1px solid #e0c36b;"
            " padding: 6px; border-radius: 3px; }"
        )
        self.banner.setWordWrap(True)
        self.banner.hide()
        outer.addWidget(self.banner)
        self.notice = NoticeBar()
        outer.addWidget(self.notice)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("mainSplitter")
        self.model_list = ModelListView()
        self.model_list.modelSelected.connect(self._on_model_selected)
        self.model_list.serverSearchRequested.connect(self._on_server_search)
        self.right_splitter = QSplitter(Qt.Orientation.Vertical)
        self.right_splitter.setObjectName("rightSplitter")
        self.version_table = VersionTableView()
        self.version_table.versionSelected.connect(self._on_version_selected)
        self.detail = VersionDetail()
        self.detail.downloadRequested.connect(self.download_artifacts)
        self.right_splitter.addWidget(self.version_table)
        self.right_splitter.addWidget(self.detail)
        self.right_splitter.setSizes([420, 380])
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.right_splitter, "Versions")
        # The compare view (pyqtgraph, numpy) is built on first use: it is not needed to
        # show the window, and importing it would delay the first paint.
        self.compare_view: Any = None
        placeholder = QLabel("Select two or more versions and press Compare (Ctrl+M).")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.compare_tab = self.tabs.addTab(placeholder, "Compare")
        self.version_table.compareRequested.connect(self.compare_selected)
        self.changes_view = ChangesView()
        self.changes_view.markReadRequested.connect(self._mark_changes_read)
        self.changes_tab = self.tabs.addTab(self.changes_view, "Changes")
        self.main_splitter.addWidget(self.model_list)
        self.main_splitter.addWidget(self.tabs)
        self.main_splitter.setSizes([380, 900])
        self.main_splitter.setStretchFactor(1, 1)
        outer.addWidget(self.main_splitter, 1)
        self.setCentralWidget(central)
        self.status = AppStatusBar(self)
        self.setStatusBar(self.status)
        self.status.cancel_button.clicked.connect(self.cancel_refresh)

    def _build_actions(self) -> None:
        self.refresh_action = QAction("&Refresh", self)
        self.refresh_action.setObjectName("refreshAction")
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
        self.refresh_action.setToolTip("Refresh from the server (F5)")
        self.refresh_action.triggered.connect(self.refresh)
        self.cancel_action = QAction("&Cancel", self)
        self.cancel_action.setShortcut(QKeySequence("Esc"))
        self.cancel_action.triggered.connect(self.cancel_refresh)
        self.search_action = QAction("&Find model", self)
        self.search_action.setShortcut(QKeySequence.StandardKey.Find)
        self.search_action.triggered.connect(self._focus_search)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.connections_action = QAction("&Connections…", self)
        self.connections_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.connections_action.triggered.connect(self.show_connections)
        self.compare_action = QAction("&Compare selected versions", self)
        self.compare_action.setShortcut(QKeySequence("Ctrl+M"))
        self.compare_action.triggered.connect(self.compare_selected)
        self.copy_uri_action = QAction("Copy model &URI", self)
        self.copy_uri_action.setShortcut(QKeySequence("Ctrl+Shift+U"))
        self.copy_uri_action.triggered.connect(self.detail.copy_uri)
        about = QAction("&About", self)
        about.triggered.connect(self._about)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.connections_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.refresh_action)
        view_menu.addAction(self.cancel_action)
        view_menu.addAction(self.search_action)
        model_menu = self.menuBar().addMenu("&Model")
        model_menu.addAction(self.compare_action)
        model_menu.addAction(self.copy_uri_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(about)

        bar = QToolBar("Main")
        bar.setObjectName("mainToolBar")
        bar.setMovable(False)
        bar.addWidget(QLabel(" Profile: "))
        self.profile_switcher = QComboBox()
        self.profile_switcher.setObjectName("toolbarProfileCombo")
        self.profile_switcher.setMinimumWidth(200)
        self.profile_switcher.setToolTip("Switch connection profile")
        self.profile_switcher.activated.connect(self._on_switch_profile)
        bar.addWidget(self.profile_switcher)
        bar.addAction(self.connections_action)
        bar.addSeparator()
        bar.addAction(self.refresh_action)
        self.addToolBar(bar)

    # -- state -----------------------------------------------------------------------------
    def _restore_state(self) -> None:
        s = self.ctx.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        for key, splitter in (
            ("window/mainSplitter", self.main_splitter),
            ("window/rightSplitter", self.right_splitter),
        ):
            value = s.value(key)
            if isinstance(value, QByteArray):
                splitter.restoreState(value)

    def save_state(self) -> None:
        s = self.ctx.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/mainSplitter", self.main_splitter.saveState())
        s.setValue("window/rightSplitter", self.right_splitter.saveState())
        if self._current_model:
            s.setValue(f"profiles/{self.profile.name}/lastModel", self._current_model)
        if self.compare_view is not None:
            self.compare_view.save_options(s)
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_state()
        self.retry_timer.stop()
        self.ctx.runner.shutdown(5000)
        # queued results may still arrive while the window closes: they must find no session
        session, self.session = self.session, None
        if session is not None:
            session.close()
        super().closeEvent(event)

    # -- profiles ----------------------------------------------------------------------------
    def _fill_profile_switcher(self) -> None:
        self.profile_switcher.blockSignals(True)
        self.profile_switcher.clear()
        names = [p.name for p in self.ctx.profiles.list()]
        if self.profile.name not in names:
            names.append(self.profile.name)
        for name in names:
            self.profile_switcher.addItem(name)
        self.profile_switcher.setCurrentText(self.profile.name)
        self.profile_switcher.blockSignals(False)

    def _on_switch_profile(self, index: int) -> None:
        name = self.profile_switcher.itemText(index)
        if name == self.profile.name:
            return
        profile = self.ctx.profiles.get(name)
        if profile is not None:
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

    def open_profile(self, profile: Profile, reason: str = "") -> None:
        """Show `profile`: its secret from the keychain (read on a worker: a locked keychain
        can take its time), then cached data at once, then a background refresh."""
        self.retry_timer.stop()
        self.ctx.runner.cancel_all()
        if self.session is not None and self.session.profile != profile:
            self.session.close()
            self.session = None
            self._current_model = ""
        if profile.auth == "none":
            self._open_with(profile, Credentials())
            return
        if reason:
            self._open_with(profile, self._ask_credentials(profile, reason))
            return
        secrets = self.ctx.secrets

        def read(ctx: Any) -> Credentials:
            creds = secrets.credentials(profile)
            ctx.check()
            return creds

        def got(creds: Credentials) -> None:
            if creds.password or creds.token:
                self._open_with(profile, creds)
            else:
                self._open_with(profile, self._ask_credentials(
                    profile, "No password or token is stored for this profile."))

        def failed(error: ModelHubError) -> None:
            if not isinstance(error, Cancelled):
                self._open_with(profile, self._ask_credentials(profile, str(error)))

        self.status.showMessage(f"Reading the secret of {profile.name} from the keychain…")
        self.ctx.runner.submit(read, key="open-profile", description="read keychain",
                               on_result=got, on_error=failed)

    def _open_with(self, profile: Profile, creds: Credentials) -> None:
        self.profile = profile
        try:
            self.session = ProfileSession(profile, creds, self.ctx.paths)
        except StorageError as exc:
            self._fail(str(exc))
            return
        if self.session.cache.recovered:
            self.notice.add(self.session.cache.recovered)
        self.ctx.profiles.set_last_used(profile.name)
        self._fill_profile_switcher()
        self.setWindowTitle(f"{APP_NAME} — {profile.name}")
        self._want_model = self._want_model or self.ctx.settings.value(
            f"profiles/{profile.name}/lastModel", None
        )
        self.online = None
        snapshot = cached_models(self.session.cache)
        self.model_list.set_models(snapshot.models, reset=True)
        self.version_table.set_versions([], {}, reset=True)
        self.detail.show_version(None, None)
        self._update_status(snapshot.synced_at)
        self._show_changes()
        if snapshot.models:
            self._select_initial_model()
        if self.options.offline:
            self._go_offline(forced=True)
            return
        if self.options.demo and profile.source == "local":
            self._seed_demo()
        else:
            self.refresh()

    def show_connections(self) -> None:
        from modelhub_desktop.ui.dialogs.connection_dialog import ConnectionDialog

        dialog = ConnectionDialog(
            self.ctx.profiles,
            self.ctx.secrets,
            self.ctx.runner,
            current=self.profile.name,
            parent=self,
        )
        if dialog.exec():
            chosen = dialog.selected_profile()
            self._fill_profile_switcher()
            if chosen is not None:
                self.open_profile(chosen)

    # -- demo ----------------------------------------------------------------------------------
    def _seed_demo(self) -> None:
        from modelhub_desktop.core.demo import seed_demo_registry

        store = self.ctx.paths.local_store_dir
        uri = self.profile.tracking_uri

        def work(task: Any) -> Any:
            store.mkdir(parents=True, exist_ok=True)
            return seed_demo_registry(
                uri,
                str(store / "artifacts"),
                progress=task.progress,
                is_cancelled=lambda: task.cancelled,
            )

        self.status.set_busy(True)
        self.status.showMessage("Preparing the demo registry…")
        self._refresh_handle = self.ctx.runner.submit(
            work,
            key="seed",
            description="seed demo registry",
            on_result=lambda _summary: self.refresh(),
            on_error=self._on_refresh_error,
            on_progress=lambda d, t, m: self.status.set_progress(
                d, t, f"Creating demo models: {d}/{t} {m}"
            ),
        )

    def _for(self, session: ProfileSession, callback: Any) -> Any:
        """Wrap a task callback so results for a profile no longer shown are dropped."""

        def deliver(value: Any) -> None:
            if self.session is session:
                callback(value)

        return deliver

    # -- refresh ---------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.session is None or self.options.offline:
            return
        session = self.session

        def work(task: Any) -> ModelsSnapshot:
            session.gateway.ping()
            return refresh_models(session.gateway, session.cache, task)

        self.status.set_busy(True)
        self.status.showMessage(f"Refreshing from {self.profile.tracking_uri}…")
        self._refresh_handle = self.ctx.runner.submit(
            work,
            key="models",
            description="refresh models",
            on_result=self._for(session, self._on_models_refreshed),
            on_error=self._for(session, self._on_refresh_error),
        )

    def cancel_refresh(self) -> None:
        for handle in self.ctx.runner.active():
            if handle.key in ("models", "versions", "seed", "search", "download"):
                handle.cancel()
        self.status.set_busy(False)
        self.status.showMessage("Cancelled.", 5000)

    def _on_models_refreshed(self, snapshot: ModelsSnapshot) -> None:
        self.status.set_busy(False)
        self._set_online(True)
        self.model_list.set_models(snapshot.models)
        self._update_status(snapshot.synced_at)
        self._show_changes()
        message = f"{len(snapshot.models)} models"
        if snapshot.changes:
            message += f", {len(snapshot.changes)} changes since last sync"
        self.status.showMessage(message, 8000)
        self._models_ready = True
        if not snapshot.models:
            self._versions_ready = True
        elif not self.model_list.current_model():
            self._select_initial_model()
        elif self._current_model and not any(h.key == "versions" for h in self.ctx.runner.active()):
            self._load_versions(self._current_model, refresh_only=True)
        self._check_initial()

    def _on_refresh_error(self, error: ModelHubError) -> None:
        self.status.set_busy(False)
        if isinstance(error, Cancelled):
            return
        if isinstance(error, Unreachable):
            self._go_offline(forced=False, reason=str(error))
            return
        if isinstance(error, AuthFailed) and self.options.interactive:
            self.status.showMessage(str(error), 10000)
            self.open_profile(self.profile, reason=str(error))
            return
        self.status.showMessage(f"{error.title}: {error}", 15000)
        if not self.options.interactive:
            self._fail(f"{error.title}: {error}")

    def _on_task_error(self, error: ModelHubError) -> None:
        log.info("task error: %s: %s", error.title, error)

    def _set_online(self, online: bool) -> None:
        self.online = online
        self.detail.set_online(online and not self.options.offline)
        self._retry_index = 0 if online else self._retry_index
        if online:
            self.retry_timer.stop()
            self.banner.hide()
        self._update_status(self.session.cache.last_sync() if self.session else None)

    def _go_offline(self, forced: bool, reason: str = "") -> None:
        self.online = False
        self.detail.set_online(False)
        synced = self.session.cache.last_sync() if self.session else None
        when = fmt_ts(synced) if synced else "never (no cached data yet)"
        text = f"Offline: showing data from {when}."
        if forced:
            text += " Started with --offline; restart without it to go online."
        else:
            delay = RETRY_DELAYS_S[min(self._retry_index, len(RETRY_DELAYS_S) - 1)]
            self._retry_index += 1
            text += f" {reason} Retrying in {delay} s (F5 to retry now)."
            self.retry_timer.start(delay * 1000)
        self.banner.setText(text)
        self.banner.show()
        self._update_status(synced)
        self._models_ready = True
        if self._current_model and self._cached_shown == self._current_model:
            self._versions_ready = True  # cached versions are already on screen
        elif self.model_list.model.rowCount() == 0:
            self._versions_ready = True
        self._check_initial()

    def _update_status(self, synced_at: int | None) -> None:
        mode = {None: "connecting", True: "online", False: "offline"}[self.online]
        self.status.set_profile(self.profile.name, self.profile.tracking_uri, mode)
        self.status.set_last_refresh(
            fmt_ago(synced_at, int(time.time() * 1000)) if synced_at else "never"
        )
        if synced_at:
            self.status.refresh_label.setToolTip(fmt_ts(synced_at))

    # -- server-side search -------------------------------------------------------------------
    def _on_server_search(self, query: str) -> None:
        if self.session is None:
            return
        session = self.session
        if not query:
            self.model_list.set_models(session.cache.models())
            return
        if not self.online:
            self.model_list.show_search_error("Server search needs a connection.")
            return
        self.ctx.runner.submit(
            lambda task: search_models(session.gateway, session.cache, query, task),
            key="search",
            description="search models",
            on_result=lambda snap: self.model_list.set_models(snap.models, reset=True),
            on_error=self._on_search_error,
        )

    def _on_search_error(self, error: ModelHubError) -> None:
        if isinstance(error, InvalidInput):
            self.model_list.show_search_error(f"Invalid filter: {error}")
        else:
            self.model_list.show_search_error(str(error))

    # -- selection -------------------------------------------------------------------------
    def _select_initial_model(self) -> None:
        if self._want_model and self.model_list.select_model(str(self._want_model)):
            return
        if self.options.model and not self.options.interactive and self._models_ready:
            self._fail(f"Model {self.options.model!r} not found.")
            return
        self.model_list.select_first()

    def _on_model_selected(self, model: RegisteredModel | None) -> None:
        if model is None:
            return
        if model.name == self._current_model:
            return
        self._current_model = model.name
        self._load_versions(model.name)

    def _load_versions(self, name: str, refresh_only: bool = False) -> None:
        if self.session is None:
            return
        session = self.session
        if refresh_only:
            self._refresh_versions(session, name)
            return
        self.version_table.set_scope(self.ctx.settings, self.profile.cache_key, name)
        self.version_table.set_versions([], {}, reset=True)
        self._cached_shown = ""

        def shown(got: tuple[VersionsSnapshot, KeyStats]) -> None:
            cached, stats = got
            if name != self._current_model:
                return
            self.version_table.set_versions(cached.versions, cached.runs, reset=True,
                                            stats=stats)
            self._cached_shown = name
            self.version_table.select_first()
            if not self.version_table.current_row():
                self.detail.show_version(None, None)
            self._refresh_versions(session, name)

        def unreadable(error: ModelHubError) -> None:
            if not isinstance(error, Cancelled):
                self.status.showMessage(f"Could not read cached versions: {error}", 15000)
                self._refresh_versions(session, name)

        # decoding thousands of cached versions takes a while: not on the UI thread
        self.ctx.runner.submit(
            lambda task: _with_stats(cached_versions(session.cache, name)),
            key="cached-versions",
            description=f"read cached versions of {name}",
            on_result=self._for(session, shown),
            on_error=self._for(session, unreadable),
        )

    def _refresh_versions(self, session: ProfileSession, name: str) -> None:
        """Versions of `name` from the server (rows update in place), unless offline."""
        if self.online is False or self.options.offline:
            self._versions_ready = True
            self._check_initial()
            return

        def work(task: Any) -> VersionsSnapshot:
            return refresh_versions(
                session.gateway, session.cache, name, task, on_page=task.partial
            )

        self.status.set_busy(True)
        self.ctx.runner.submit(
            work,
            key="versions",
            description=f"load versions of {name}",
            on_result=self._for(session, self._on_versions_loaded),
            on_error=self._for(session, self._on_versions_error),
            on_partial=lambda page: self._on_versions_page(name, page),
            on_progress=lambda d, t, m: self.status.set_progress(d, t, f"Loading {m}: {d}"),
        )

    def _on_versions_page(self, name: str, page: VersionsPage) -> None:
        """Rows appear as pages arrive; rows already shown from the cache are kept."""
        if name != self._current_model:
            return
        model = self.version_table.model
        known = {r.key for r in model.records()}
        fresh = [VersionRow(v, page.runs.get(v.run_id)) for v in page.versions
                 if v.version not in known]
        first = model.rowCount() == 0
        model.append_records(fresh)
        if first and fresh:
            self.version_table.fit_columns()
            self.version_table.select_first()

    def _on_versions_loaded(self, snap: VersionsSnapshot) -> None:
        self.status.set_busy(False)
        self.status.showMessage(f"{len(snap.versions)} versions of {snap.model_name}", 5000)
        if snap.model_name != self._current_model:
            return
        if snap.changes:
            self._show_changes()
        was_empty = self.version_table.model.rowCount() == 0
        self.version_table.set_versions(snap.versions, snap.runs, reset=was_empty)
        if self.version_table.current_row() is None:
            self.version_table.select_first()
        else:
            self._on_version_selected(self.version_table.current_row())
        self._versions_ready = True
        self._check_initial()

    def _on_versions_error(self, error: ModelHubError) -> None:
        self.status.set_busy(False)
        if isinstance(error, Cancelled):
            return
        if isinstance(error, Unreachable):
            if self.online is not False:
                self._go_offline(forced=False, reason=str(error))
            self._versions_ready = True
            self._check_initial()
            return
        self.status.showMessage(f"Could not load versions: {error}", 15000)
        self._versions_ready = True
        self._check_initial()

    def _on_version_selected(self, row: VersionRow | None) -> None:
        if row is None:
            return
        run_url = mlflow_ui_url(self.profile, row.run)
        online = bool(self.online) and not self.options.offline
        note = "Loading schema…" if online else "Schema and lineage need a connection."
        self.detail.show_version(row.version, row.run, lineage_note=note, run_url=run_url)
        if not online or self.session is None:
            return
        gateway, version = self.session.gateway, row.version

        def shown(lineage: VersionLineage) -> None:
            current = self.detail.version
            if current is not None and current == version:
                self.detail.show_version(row.version, row.run, lineage=lineage, run_url=run_url)

        self.ctx.runner.submit(lambda task: version_lineage(gateway, version), key="lineage",
                               description="load schema and lineage", on_result=shown,
                               on_error=lambda e: self.detail.show_version(
                                   row.version, row.run, lineage_note=str(e), run_url=run_url))

    # -- downloads ---------------------------------------------------------------------------
    def download_artifacts(self, version: Any, folder: str) -> None:
        if self.session is None:
            return
        gateway = self.session.gateway
        from pathlib import Path

        from modelhub_desktop.core.lineage import download_version_artifacts

        self.status.set_busy(True)
        self.status.showMessage(f"Downloading {version.uri}…")
        self.ctx.runner.submit(
            lambda task: download_version_artifacts(gateway, version, Path(folder), task),
            key="download", description=f"download {version.uri}",
            on_progress=lambda d, t, m: self.status.set_progress(
                d, t, f"Downloading {version.uri}: {d}/{t} {m}"),
            on_result=lambda path: (self.status.set_busy(False),
                                    self.status.showMessage(f"Saved to {path}", 15000)),
            on_error=lambda e: (self.status.set_busy(False),
                                self.status.showMessage(f"Download stopped: {e}", 15000)),
        )

    # -- compare -----------------------------------------------------------------------------
    def compare_selected(self) -> None:
        """Compare the selected versions (all visible ones when fewer than two are selected)."""
        rows = self.version_table.selected_rows()
        if len(rows) < 2:
            rows = self.version_table.visible_rows()
        if self.compare_view is None:
            from modelhub_desktop.ui.views.compare_view import CompareView

            self.compare_view = CompareView(self.ctx.runner)
            self.compare_view.restore_options(self.ctx.settings)
            self.compare_view.statusMessage.connect(
                lambda m: self.status.showMessage(m, 10000))
            old = self.tabs.widget(self.compare_tab)
            self.tabs.removeTab(self.compare_tab)
            self.tabs.insertTab(self.compare_tab, self.compare_view, "Compare")
            old.deleteLater()
        if self.session is not None:
            self.compare_view.set_context(self.session.gateway, self.session.cache,
                                          bool(self.online) and not self.options.offline)
        self.compare_view.compare(self._current_model, rows, self.version_table.model.records())
        self.tabs.setCurrentIndex(self.compare_tab)

    # -- changes -----------------------------------------------------------------------------
    def _show_changes(self) -> None:
        if self.session is None:
            return
        cache = self.session.cache
        unread = cache.unread_changes()
        self.changes_view.set_changes(cache.changes(), unread)
        title = f"Changes ({unread})" if unread else "Changes"
        self.tabs.setTabText(self.changes_tab, title)

    def _mark_changes_read(self) -> None:
        if self.session is None:
            return
        try:
            self.session.cache.mark_changes_read()
        except StorageError as exc:
            self.status.showMessage(f"Could not mark the changes as read: {exc}", 15000)
            return
        self._show_changes()

    # -- misc --------------------------------------------------------------------------------
    def _focus_search(self) -> None:
        self.model_list.search.setFocus()
        self.model_list.search.selectAll()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<br>A desktop client for the MLflow Model "
            "Registry: review, compare, promote and deploy registered models.",
        )

    def _fail(self, message: str) -> None:
        self.status.showMessage(message, 30000)
        if not self._initial_done:
            self._initial_done = True
            self.startFailed.emit(message)

    def _check_initial(self) -> None:
        if self._initial_done or not (self._models_ready and self._versions_ready):
            return
        if self.options.model and self.model_list.current_model() is None:
            self._fail(f"Model {self.options.model!r} not found.")
            return
        self._initial_done = True
        mode = "online" if self.online else "offline"
        self.dataShown.emit(
            self.model_list.model.rowCount(), self.version_table.model.rowCount(), mode
        )

    @property
    def initial_done(self) -> bool:
        return self._initial_done


def _with_stats(snapshot: VersionsSnapshot) -> tuple[VersionsSnapshot, KeyStats]:
    """(worker) The snapshot and its column statistics, ready for the version table."""
    return snapshot, key_stats_of(snapshot.versions, snapshot.runs)
