"""The `deployDialog`: deploy a version, or switch an existing deployment to it.

Like PrimeHub's: "Create new deployment" (backend, name, port or target settings) or
"Update existing deployment" (pick one; it then serves this version). A deployment can
pin the version or follow one of the model's aliases (`models:/<name>@<alias>`). The
form is validated as it is typed, with the reason shown inline; the service says which
serving path applies to the model and why. Deploying downloads the model and starts a
server: it runs on the mutation thread with progress, and Cancel stops it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.deploy.base import DeploymentRecord
from modelhub_desktop.core.domain import ModelVersion
from modelhub_desktop.core.errors import Cancelled, ModelHubError
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.ui.deploy_api import BACKEND_TITLES, LOCAL, PYTHON_ENV, DeployApi
from modelhub_desktop.ui.deploy_settings import DeploySettings
from modelhub_desktop.ui.dialogs.backend_settings import BackendSettings
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.tasks import Task, TaskRunner

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
ERROR_STYLE = "QLabel { color: #b00020; }"


def default_name(version: ModelVersion) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", version.model_name).strip("-._") or "model"
    return f"{safe[:50]}-v{version.version}"


class DeployDialog(QDialog):
    """Deploy `version`; emits `deployed(record)` and accepts when the server is ready."""

    deployed = Signal(object)  # DeploymentRecord

    def __init__(self, service: DeployApi, runner: TaskRunner, settings: DeploySettings,
                 version: ModelVersion, aliases: Mapping[str, int],
                 existing: Sequence[DeploymentRecord], online: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deployDialog")
        self.setWindowTitle(f"Deploy {version.model_name} v{version.version}")
        self.setMinimumWidth(600)
        self.service, self.runner, self.settings = service, runner, settings
        self.version, self.aliases = version, dict(aliases)
        self.existing = list(existing)
        self.online = online
        self._busy_name = ""
        self._task: Task | None = None  # the deploy running, until its answer arrives
        self._backend_touched = False

        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{version.model_name}</b> &nbsp;v{version.version}")
        heading.setObjectName("deployHeading")
        layout.addWidget(heading)

        mode_row = QHBoxLayout()
        self.create_radio = QRadioButton("Create new deployment")
        self.create_radio.setObjectName("createRadio")
        self.update_radio = QRadioButton("Update existing deployment")
        self.update_radio.setObjectName("updateRadio")
        self._modes = QButtonGroup(self)
        for button in (self.create_radio, self.update_radio):
            self._modes.addButton(button)
            mode_row.addWidget(button)
        mode_row.addStretch(1)
        layout.addLayout(mode_row)
        self.existing_combo = QComboBox()
        self.existing_combo.setObjectName("existingCombo")
        mine = [r for r in self.existing if r.model_name == version.model_name]
        for record in mine + [r for r in self.existing if r not in mine]:
            self.existing_combo.addItem(
                f"{record.name} — serves {record.model_uri} ({record.status})", record.name)
        layout.addWidget(self.existing_combo)

        what = QGroupBox("What to serve")
        what_form = QFormLayout(what)
        serve_row = QHBoxLayout()
        self.pin_radio = QRadioButton(f"Pin v{version.version}")
        self.pin_radio.setObjectName("pinRadio")
        self.follow_radio = QRadioButton("Follow alias")
        self.follow_radio.setObjectName("followRadio")
        self._serve = QButtonGroup(self)
        self._serve.addButton(self.pin_radio)
        self._serve.addButton(self.follow_radio)
        self.alias_combo = QComboBox()
        self.alias_combo.setObjectName("aliasCombo")
        mine_first = sorted(self.aliases, key=lambda a: (self.aliases[a] != version.version, a))
        for alias in mine_first:
            self.alias_combo.addItem(f"@{alias} (v{self.aliases[alias]})", alias)
        for w in (self.pin_radio, self.follow_radio, self.alias_combo):
            serve_row.addWidget(w)
        serve_row.addStretch(1)
        what_form.addRow(serve_row)
        self.uri_label = QLabel("")
        self.uri_label.setObjectName("deployModelUri")
        what_form.addRow("Model URI:", self.uri_label)
        self.path_label = QLabel("Checking how this model can be served…")
        self.path_label.setObjectName("servingPathLabel")
        self.path_label.setWordWrap(True)
        what_form.addRow("Serving path:", self.path_label)
        layout.addWidget(what)

        self.create_box = QGroupBox("New deployment")
        form = QFormLayout(self.create_box)
        self.name_edit = QLineEdit(default_name(version))
        self.name_edit.setObjectName("deployName")
        form.addRow("&Name:", self.name_edit)
        self.backend_form = BackendSettings(settings)
        form.addRow(self.backend_form)
        layout.addWidget(self.create_box)

        self.problem_label = QLabel("")
        self.problem_label.setObjectName("deployProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.problem_label)
        self.progress = QProgressBar()
        self.progress.setObjectName("deployProgress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        layout.addWidget(self.progress)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.submit_button = QPushButton("Deploy")
        self.submit_button.setObjectName("deploySubmit")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("deployCancel")
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)

        self.create_radio.setChecked(True)
        self.update_radio.setEnabled(bool(self.existing))
        if not self.existing:
            self.update_radio.setToolTip("There is no deployment yet to update.")
        self.follow_radio.setEnabled(bool(self.aliases))
        if not self.aliases:
            self.follow_radio.setToolTip("This model has no aliases to follow.")
        own = [a for a, v in self.aliases.items() if v == version.version]
        (self.follow_radio if own else self.pin_radio).setChecked(True)
        for signal in (self._modes.buttonToggled, self._serve.buttonToggled):
            signal.connect(lambda *_: self._changed(uri_changed=True))
        self.alias_combo.currentIndexChanged.connect(lambda *_: self._changed(uri_changed=True))
        self.existing_combo.currentIndexChanged.connect(lambda *_: self._changed())
        self.backend_form.backend_combo.currentIndexChanged.connect(self._on_backend)
        self.backend_form.changed.connect(self._changed)
        self.name_edit.textChanged.connect(lambda *_: self._changed())
        self._changed(uri_changed=True)

    # -- state -----------------------------------------------------------------------------
    def backend(self) -> str:
        return self.backend_form.kind()

    def model_uri(self) -> str:
        if self.follow_radio.isChecked() and self.alias_combo.currentData():
            return f"models:/{self.version.model_name}@{self.alias_combo.currentData()}"
        return self.version.uri

    def selected_existing(self) -> DeploymentRecord | None:
        name = self.existing_combo.currentData()
        return next((r for r in self.existing if r.name == name), None)

    def problem(self) -> str:
        """Why the form cannot be submitted as it is ("" when it can)."""
        if not self.online:
            return ("Offline: deploying needs the MLflow server (the model is downloaded "
                    "from it). Reconnect to deploy.")
        if self.update_radio.isChecked():
            record = self.selected_existing()
            if record is None:
                return "Choose the deployment to update."
            if record.model_uri == self.model_uri() and record.version == self.version.version:
                return f"{record.name} already serves {self.model_uri()}."
            return ""
        name = self.name_edit.text().strip()
        if not name:
            return "Give the deployment a name."
        if not NAME_RE.match(name):
            return ("A name is letters, digits, '.', '_' or '-' (up to 63), starting with a "
                    "letter or digit.")
        if any(r.name == name for r in self.existing):
            return f"A deployment named {name} exists: choose another name, or update it."
        return self.backend_form.problem()

    def _changed(self, uri_changed: bool = False) -> None:
        updating = self.update_radio.isChecked()
        self.existing_combo.setVisible(updating)
        self.create_box.setVisible(not updating)
        self.alias_combo.setEnabled(self.follow_radio.isChecked())
        self.uri_label.setText(self.model_uri())
        self.submit_button.setText("Update" if updating else "Deploy")
        if uri_changed:
            self._ask_serving_path()
        if not self._busy_name:
            reason = self.problem()
            self.problem_label.setText(reason)
            self.submit_button.setEnabled(not reason)

    def _on_backend(self) -> None:
        self._backend_touched = True
        self._changed()

    def _ask_serving_path(self) -> None:
        if not self.online:
            self.path_label.setText("Unknown while offline.")
            return
        uri = self.model_uri()
        self.path_label.setText("Checking how this model can be served…")
        self.runner.submit(lambda ctx: self.service.serving_path(uri, ctx),
                           key=TaskKey.DEPLOY_PATH, owner=self,
                           description=f"serving path of {uri}",
                           on_result=self._on_serving_path, on_error=self._on_path_error)

    def _on_serving_path(self, answer: tuple[str, str]) -> None:
        kind, why = answer
        title = BACKEND_TITLES.get(kind, kind)
        self.path_label.setText(f"{title}: {why}")
        if not self._backend_touched and kind in (LOCAL, PYTHON_ENV):
            self.backend_form.set_kind(kind)
            self._backend_touched = False

    def _on_path_error(self, error: ModelHubError) -> None:
        if not isinstance(error, Cancelled):
            self.path_label.setText(f"Could not tell: {error}")

    # -- submit ----------------------------------------------------------------------------
    def submit(self) -> None:
        reason = self.problem()
        if reason:
            self.problem_label.setText(reason)
            return
        service, uri = self.service, self.model_uri()
        if self.update_radio.isChecked():
            record = self.selected_existing()
            assert record is not None
            name = record.name

            def work(ctx: TaskContext) -> DeploymentRecord:
                return service.update(record, uri, ctx)
            what = f"Updating {name} to {uri}…"
        else:
            name, kind = self.name_edit.text().strip(), self.backend()
            settings = self.backend_form.settings_map()
            self.backend_form.remember()

            def work(ctx: TaskContext) -> DeploymentRecord:
                return service.create(kind, name, uri, settings, ctx)
            what = f"Deploying {uri} as {name}…"
        self._busy_name = name
        self._set_busy(True, what)
        self._task = self.runner.submit(
            work, key=TaskKey.DEPLOY, scope=name, owner=self, mutation=True, description=what,
            on_result=self._on_done, on_error=self._on_failed, on_progress=self._on_progress)

    def _set_busy(self, busy: bool, message: str = "") -> None:
        for w in (self.create_box, self.update_radio, self.create_radio, self.existing_combo,
                  self.pin_radio, self.follow_radio, self.alias_combo, self.submit_button):
            w.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)
        self.progress.setFormat(message)
        self.problem_label.setText("")
        if not busy:
            self._busy_name = ""
            self._changed()

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.progress.setFormat(message or "%p%")

    def _on_done(self, record: DeploymentRecord) -> None:
        self._busy_name, self._task = "", None
        self.deployed.emit(record)
        self.accept()

    def _on_failed(self, error: ModelHubError) -> None:
        self._task = None
        self._set_busy(False)
        text = ("Cancelled; nothing was left running." if isinstance(error, Cancelled)
                else f"{error.title}: {error}")
        self.problem_label.setText(text)

    @property
    def busy(self) -> bool:
        return bool(self._busy_name)

    def reject(self) -> None:
        """Cancel a deploy in progress first; a second Cancel closes."""
        if self._task is not None:
            self._task.cancel()  # the answer (Cancelled) still arrives: the form comes back
            self.progress.setFormat("Cancelling…")
            return
        super().reject()
