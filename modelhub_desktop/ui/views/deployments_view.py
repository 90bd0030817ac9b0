"""The `deploymentsView`: every deployment the app knows, what it serves and how it is.

It lists the persisted records at once (offline too), then their status as checked by
the deploy service, again every few seconds while the view is visible. A row whose
alias moved is marked ("serves v2, @champion is v3") and offers "Update to v3" after a
confirmation that shows the metric differences. Below the table: the Try it panel and
the monitor of the chosen deployment. Writes run on the mutation thread, with progress
and Cancel for the long ones; errors are said in words on the view's message line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.deploy.base import RUNNING, DeploymentRecord, Health, RequestStats
from modelhub_desktop.core.errors import Cancelled, ModelHubError
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.ui.charts.deploy_monitor import DeployMonitor
from modelhub_desktop.ui.deploy_api import DeployApi
from modelhub_desktop.ui.deploy_settings import DeploySettings
from modelhub_desktop.ui.models.deployments_model import DeploymentRow, DeploymentsModel
from modelhub_desktop.ui.models.record_table import OBJECT_ROLE, RecordSortProxy
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.tasks import Task, TaskRunner
from modelhub_desktop.ui.views.dashboard_link import DashboardLink
from modelhub_desktop.ui.views.tables import make_table, select_key
from modelhub_desktop.ui.views.try_it_panel import ExampleLoader, TryItPanel

STATUS_MS = 5000
OFFLINE_REASON = "Offline: updating a deployment downloads the model from the MLflow server."


class DeploymentsView(QWidget):
    """Deployments, their actions, Try it and the monitor."""

    #: a background error or outcome for the window's status bar
    message = Signal(str, int)
    #: the records shown changed (the window's "Deployed by" column follows)
    recordsChanged = Signal(object)  # noqa: N815 - list[DeploymentRecord]
    #: the user wants this deployment on another version (the alias's, when not None):
    #: the window confirms with the metric differences, then calls `update_to`
    updateRequested = Signal(object, object)  # noqa: N815 - DeploymentRecord, int | None
    #: the user wants to read this deployment's log
    logsRequested = Signal(object)  # noqa: N815 - DeploymentRecord

    def __init__(self, service: DeployApi, runner: TaskRunner, load_example: ExampleLoader,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deploymentsView")
        self.service, self.runner = service, runner
        #: model name -> alias -> version, as the registry said last
        self.aliases: Callable[[], Mapping[str, Mapping[str, int]]] = dict
        self.settings: DeploySettings | None = None
        self.online = False
        self._write: Task | None = None
        self.model = DeploymentsModel(self)
        self.proxy = RecordSortProxy(self)
        self.proxy.setSourceModel(self.model)

        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.count_label = QLabel("No deployments yet")
        self.count_label.setObjectName("deploymentsCount")
        self.count_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.count_label, 1)

        def button(text: str, name: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
            b = QPushButton(text)
            b.setObjectName(name)
            b.setToolTip(tip)
            b.clicked.connect(lambda: slot())
            bar.addWidget(b)
            return b

        self.refresh_button = button("Refresh", "deploymentsRefresh", self.refresh,
                                     "Check what really runs")
        self.start_button = button("Start", "deploymentStart", self.start_selected,
                                   "Start the stopped deployment again, on its port")
        self.stop_button = button("Stop", "deploymentStop", self.stop_selected)
        self.delete_button = button("Delete…", "deploymentDelete", self.delete_selected)
        self.update_button = button("Update…", "deploymentUpdate",
                                    self.update_selected)
        self.logs_button = button("Logs…", "deploymentLogs", self.show_logs)
        layout.addLayout(bar)

        self.drift_bar = QWidget()
        self.drift_bar.setObjectName("driftBar")
        drift = QHBoxLayout(self.drift_bar)
        drift.setContentsMargins(6, 2, 6, 2)
        self.drift_label = QLabel("")
        self.drift_label.setObjectName("driftLabel")
        drift.addWidget(self.drift_label, 1)
        self.drift_button = QPushButton("")
        self.drift_button.setObjectName("driftUpdateButton")
        self.drift_button.clicked.connect(self.update_to_alias)
        drift.addWidget(self.drift_button)
        self.drift_bar.setStyleSheet("QWidget#driftBar { background: #fff4ce; }")
        self.drift_bar.hide()
        layout.addWidget(self.drift_bar)

        split = QSplitter(Qt.Orientation.Vertical)
        self.table = make_table("deploymentsTable", self)
        self.table.setModel(self.proxy)
        self.table.sortByColumn(self.model.column_of("name"), Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.doubleClicked.connect(lambda _i: self.show_logs())
        split.addWidget(self.table)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("deploymentTabs")
        self.try_it = TryItPanel(runner, lambda r, p: self.service.predict(r, p), load_example)
        self.monitor = DeployMonitor(runner, self._probe)
        self.tabs.addTab(self.try_it, "Try it")
        self.tabs.addTab(self.monitor, "Monitor")
        self.dashboard = DashboardLink()  # the team's own dashboard, beside the monitor
        self.dashboard.message.connect(self._say)
        self.tabs.setCornerWidget(self.dashboard)
        split.addWidget(self.tabs)
        split.setSizes([220, 420])
        layout.addWidget(split, 1)

        status = QHBoxLayout()
        self.message_label = QLabel("")
        self.message_label.setObjectName("deploymentsMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status.addWidget(self.message_label, 1)
        self.progress = QProgressBar()
        self.progress.setObjectName("deploymentsProgress")
        self.progress.setMaximumWidth(320)
        self.progress.hide()
        status.addWidget(self.progress)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("deploymentsCancel")
        self.cancel_button.clicked.connect(self.cancel_write)
        self.cancel_button.hide()
        status.addWidget(self.cancel_button)
        layout.addLayout(status)

        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_MS)
        self.status_timer.timeout.connect(self.refresh)
        self._update_actions()

    # -- context from the window ----------------------------------------------------------
    def set_profile(self, aliases: Callable[[], Mapping[str, Mapping[str, int]]],
                    settings: DeploySettings | None) -> None:
        """Where the models' aliases come from, and the profile's deploy settings."""
        self.aliases, self.settings = aliases, settings
        self._update_actions()

    def set_online(self, online: bool) -> None:
        self.online = online
        self._update_actions()

    # -- records --------------------------------------------------------------------------
    def load(self) -> None:
        """The persisted records at once, then their checked status."""
        service = self.service
        self.runner.submit(lambda _ctx: service.records(), key=TaskKey.DEPLOY_LIST,
                           owner=self, description="read deployments",
                           on_result=self._show_then_refresh, on_error=self._list_failed)

    def _show_then_refresh(self, records: list[DeploymentRecord]) -> None:
        self.show_records(records)
        self.refresh()

    def refresh(self) -> None:
        """Status of every deployment, checked against what really runs."""
        if self.runner.is_running(TaskKey.DEPLOY_LIST):
            return
        service = self.service
        self.runner.submit(lambda _ctx: service.refresh(), key=TaskKey.DEPLOY_LIST,
                           owner=self, description="check deployments",
                           on_result=self.show_records, on_error=self._list_failed)

    def _list_failed(self, error: ModelHubError) -> None:
        if not isinstance(error, Cancelled):
            self._say(f"Could not read the deployments: {error}")

    def show_records(self, records: list[DeploymentRecord]) -> None:
        current = self.selected()
        shown = self._shown_text()
        self.model.set_deployments(records, self.aliases())
        if shown != self._shown_text():
            self._fit_columns()
        n = len(records)
        running = sum(1 for r in records if r.status == RUNNING)
        self.count_label.setText(f"{n} deployment{'s' if n != 1 else ''}, {running} running"
                                 if n else "No deployments yet: deploy a version from the "
                                 "Versions tab (Ctrl+D)")
        if current is not None:
            select_key(self.table, current.key)
        elif n:
            self.table.selectRow(0)
        self._on_selection()
        self.recordsChanged.emit(records)

    def _shown_text(self) -> set[tuple[str, str]]:
        return {(r.key, r.drift or r.record.status) for r in self.model.records()}

    def _fit_columns(self) -> None:
        """Columns as wide as their text (a few rows: cheap), within bounds."""
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for col in range(self.model.columnCount()):
            header.resizeSection(col, min(max(header.sectionSize(col), 60), 360))

    def records(self) -> list[DeploymentRecord]:
        return [row.record for row in self.model.records()]

    def selected(self) -> DeploymentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(OBJECT_ROLE) if rows else None

    def select(self, name: str) -> bool:
        return select_key(self.table, name)

    def _on_selection(self, *_args: QItemSelection) -> None:
        row = self.selected()
        record = row.record if row else None
        others = [r for r in self.records() if r.status == RUNNING]
        self.try_it.set_deployment(record, others)
        self.monitor.set_deployment(record)
        self._update_actions()

    def _update_actions(self) -> None:
        row = self.selected()
        busy = self._write is not None
        has = row is not None and not busy
        running = row is not None and row.record.status == RUNNING
        self.stop_button.setEnabled(has and running)
        self.stop_button.setVisible(running or row is None)
        self.start_button.setVisible(not self.stop_button.isVisible())
        self.start_button.setEnabled(has and self.online)
        self.start_button.setToolTip("Start the stopped deployment again, on its port"
                                     if self.online else OFFLINE_REASON)
        self.delete_button.setEnabled(has)
        self.logs_button.setEnabled(row is not None)
        can_update = has and self.online
        self.update_button.setEnabled(can_update)
        self.update_button.setToolTip("Serve another version of the model" if self.online
                                      else OFFLINE_REASON)
        self.dashboard.set_context(self.settings, row.record if row else None)
        drift = row.drift if row is not None else ""
        self.drift_bar.setVisible(bool(drift))
        if row is not None and row.alias_now is not None:
            self.drift_label.setText(f"<b>{row.record.name}</b> {drift}.")
            self.drift_button.setText(f"Update to v{row.alias_now}")
            self.drift_button.setEnabled(can_update)
            self.drift_button.setToolTip("" if self.online else OFFLINE_REASON)

    # -- visibility drives the status timer ---------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.status_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self.status_timer.stop()
        super().hideEvent(event)

    def shut(self) -> None:
        """Stop timers and polling (window closing)."""
        self.status_timer.stop()
        self.monitor.stop()

    # -- writes -------------------------------------------------------------------------
    def _run_write(self, record: DeploymentRecord, what: str,
                   fn: Callable[[TaskContext], object], done: str) -> None:
        self._say(what)
        self.progress.setRange(0, 0)
        self.progress.setFormat(what)
        self.progress.show()
        self.cancel_button.show()

        def finished(_result: object) -> None:
            self._write_over()
            self._say(done)
            self.message.emit(done, 8000)
            self.refresh()

        def failed(error: ModelHubError) -> None:
            self._write_over()
            text = ("Cancelled; nothing was left running." if isinstance(error, Cancelled)
                    else f"{error.title}: {error}")
            self._say(text, error=True)
            self.message.emit(f"{record.name}: {text}", 15000)
            self.refresh()

        def progressed(done_n: int, total: int, message: str) -> None:
            if total > 0:
                self.progress.setRange(0, total)
                self.progress.setValue(done_n)
            self.progress.setFormat(message or what)

        self._write = self.runner.submit(fn, key=TaskKey.DEPLOY, scope=record.name, owner=self,
                                         mutation=True, description=what, on_result=finished,
                                         on_error=failed, on_progress=progressed)
        self._update_actions()

    def _write_over(self) -> None:
        self._write = None
        self.progress.hide()
        self.cancel_button.hide()
        self._update_actions()

    def cancel_write(self) -> None:
        if self._write is not None:
            self._write.cancel()
            self.progress.setFormat("Cancelling…")

    @property
    def busy(self) -> bool:
        return self._write is not None

    def stop_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        record, service = row.record, self.service
        self._run_write(record, f"Stopping {record.name}…", lambda _c: service.stop(record),
                        f"Stopped {record.name}.")

    def start_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        record, service = row.record, self.service
        self._run_write(record, f"Starting {record.name}…",
                        lambda ctx: service.restart(record, ctx), f"Started {record.name}.")

    def delete_selected(self, confirm: bool = True) -> None:
        row = self.selected()
        if row is None:
            return
        record, service = row.record, self.service
        if confirm and QMessageBox.question(
                self, "Delete deployment",
                f"Delete {record.name}? Its server is stopped and the record removed.",
        ) != QMessageBox.StandardButton.Yes:
            return
        self._run_write(record, f"Deleting {record.name}…", lambda _c: service.delete(record),
                        f"Deleted {record.name}.")

    def update_selected(self, target: int | None = None) -> None:
        """Ask for another version (or, with `target`, the alias's) of the selected one."""
        row = self.selected()
        if row is not None:
            self.updateRequested.emit(row.record, target)

    def update_to_alias(self) -> None:
        """"Update to vN" on a deployment whose alias moved."""
        row = self.selected()
        if row is not None and row.alias_now is not None:
            self.update_selected(target=row.alias_now)

    def update_to(self, record: DeploymentRecord, version: int, follow: bool) -> None:
        """Serve `version` (with `follow`, keep following the record's alias)."""
        uri = (record.model_uri if follow and record.alias
               else f"models:/{record.model_name}/{version}")
        service = self.service
        self._run_write(record, f"Updating {record.name} to v{version}…",
                        lambda ctx: service.update(record, uri, ctx),
                        f"{record.name} now serves v{version}.")

    # -- logs -------------------------------------------------------------
    def show_logs(self) -> None:
        row = self.selected()
        if row is not None:
            self.logsRequested.emit(row.record)

    # -- monitor ------------------------------------------------------------------------
    def _probe(self, record: DeploymentRecord) -> tuple[Health, RequestStats | None]:
        """(worker) One health probe and the traffic figures."""
        service = self.service
        return service.health(record), service.stats(record)

    def _say(self, text: str, error: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet("QLabel { color: #b00020; }" if error else "")
