"""Where a new deployment runs and with what settings: the backend choice of the deploy
dialog and its page (host, port and "keep running" for servers on this computer, the
Python environment for models the app cannot load itself, target URI and JSON config
for an MLflow deployments target), checked as typed.

The target and Python environment are remembered per connection profile.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QStackedWidget,
    QWidget,
)

from modelhub_desktop.core.deploy.process import free_port, port_free
from modelhub_desktop.ui.deploy_api import BACKEND_TITLES, LOCAL, PYTHON_ENV, TARGET
from modelhub_desktop.ui.deploy_settings import DeploySettings, check_config

ENV_MANAGERS = ("local", "uv", "virtualenv")


class BackendSettings(QWidget):
    """The backend combo and its settings page; `changed` on every edit."""

    changed = Signal()

    def __init__(self, settings: DeploySettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.backend_combo = QComboBox()
        self.backend_combo.setObjectName("backendCombo")
        for kind in (LOCAL, PYTHON_ENV, TARGET):
            self.backend_combo.addItem(BACKEND_TITLES[kind], kind)
        form.addRow("&Backend:", self.backend_combo)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._server_page())
        self.pages.addWidget(self._target_page())
        form.addRow(self.pages)
        self.backend_combo.currentIndexChanged.connect(self._on_kind)
        for edit in (self.host_edit, self.python_edit, self.target_edit):
            edit.textChanged.connect(lambda *_: self.changed.emit())
        self.port_spin.valueChanged.connect(lambda *_: self.changed.emit())
        self.config_edit.textChanged.connect(self.changed)
        self._show_page()

    def _server_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        self.host_edit = QLineEdit("127.0.0.1")
        self.host_edit.setObjectName("deployHost")
        form.addRow("&Host:", self.host_edit)
        self.port_spin = QSpinBox()
        self.port_spin.setObjectName("deployPort")
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(free_port())
        form.addRow("&Port:", self.port_spin)
        self.keep_check = QCheckBox("Keep running after the app quits")
        self.keep_check.setObjectName("keepRunningCheck")
        form.addRow(self.keep_check)
        self.python_row = QWidget()
        py = QHBoxLayout(self.python_row)
        py.setContentsMargins(0, 0, 0, 0)
        self.python_edit = QLineEdit(self.settings.python)
        self.python_edit.setObjectName("pythonEdit")
        self.python_edit.setPlaceholderText("/path/to/env/bin/python (with mlflow)")
        self.env_combo = QComboBox()
        self.env_combo.setObjectName("envManagerCombo")
        self.env_combo.addItems(ENV_MANAGERS)
        self.env_combo.setCurrentText(self.settings.env_manager)
        py.addWidget(self.python_edit, 1)
        py.addWidget(QLabel("env manager:"))
        py.addWidget(self.env_combo)
        self.python_label = QLabel("P&ython:")
        self.python_label.setBuddy(self.python_edit)
        form.addRow(self.python_label, self.python_row)
        return page

    def _target_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        self.target_edit = QLineEdit(self.settings.target_uri)
        self.target_edit.setObjectName("targetUriEdit")
        self.target_edit.setPlaceholderText("e.g. sagemaker:/eu-west-1 or a plugin's target")
        form.addRow("&Target URI:", self.target_edit)
        self.config_edit = QPlainTextEdit(self.settings.target_config)
        self.config_edit.setObjectName("targetConfigEdit")
        self.config_edit.setPlaceholderText('{"instance_type": "ml.m5.large"}')
        self.config_edit.setMaximumHeight(90)
        form.addRow("&Config (JSON):", self.config_edit)
        return page

    # -- state -----------------------------------------------------------------------------
    def kind(self) -> str:
        return str(self.backend_combo.currentData())

    def set_kind(self, kind: str) -> None:
        self.backend_combo.setCurrentIndex(self.backend_combo.findData(kind))

    def _on_kind(self) -> None:
        self._show_page()
        self.changed.emit()

    def _show_page(self) -> None:
        kind = self.kind()
        self.pages.setCurrentIndex(1 if kind == TARGET else 0)
        self.python_row.setVisible(kind == PYTHON_ENV)
        self.python_label.setVisible(kind == PYTHON_ENV)

    def settings_map(self) -> dict[str, str]:
        """What the backend is created with (strings, as records keep them)."""
        kind = self.kind()
        if kind == TARGET:
            return {"target": self.target_edit.text().strip(),
                    "config": self.config_edit.toPlainText().strip() or "{}"}
        out = {"host": self.host_edit.text().strip(), "port": str(self.port_spin.value()),
               "keep_running": "1" if self.keep_check.isChecked() else "0"}
        if kind == PYTHON_ENV:
            out.update(python=self.python_edit.text().strip(),
                       env_manager=self.env_combo.currentText())
        return out

    def problem(self) -> str:
        """Why these settings cannot be used ("" when they can)."""
        kind = self.kind()
        if kind == TARGET:
            if not self.target_edit.text().strip():
                return "Give the deployment target's URI (e.g. sagemaker:/eu-west-1)."
            return check_config(self.config_edit.toPlainText())
        host = self.host_edit.text().strip()
        if not host:
            return "Give the host to listen on (127.0.0.1 keeps it on this computer)."
        if kind == PYTHON_ENV:
            python = self.python_edit.text().strip()
            if not python:
                return "Choose the Python of the environment that serves the model."
            if not Path(python).is_file():
                return f"There is no Python at {python}."
        port = self.port_spin.value()
        if not port_free(host, port):
            return f"Port {port} on {host} is in use (or the host is not this computer's)."
        return ""

    def remember(self) -> None:
        """Keep the target or Python environment for this profile's next deployment."""
        kind = self.kind()
        if kind == TARGET:
            self.settings.target_uri = self.target_edit.text().strip()
            self.settings.target_config = self.config_edit.toPlainText().strip()
        elif kind == PYTHON_ENV:
            self.settings.python = self.python_edit.text().strip()
            self.settings.env_manager = self.env_combo.currentText()
