"""The `deployLogsDialog`: the recent log of one deployment's server, refreshable."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.deploy.base import DeploymentRecord
from modelhub_desktop.core.errors import Cancelled, ModelHubError
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.tasks import TaskRunner

LINES = 500


class DeployLogsDialog(QDialog):
    """Reads the log on a worker; Refresh reads it again."""

    def __init__(self, runner: TaskRunner, record: DeploymentRecord,
                 read_logs: Callable[[DeploymentRecord, int], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deployLogsDialog")
        self.setWindowTitle(f"Log of {record.name}")
        self.resize(860, 520)
        self.runner, self.record, self.read_logs = runner, record, read_logs
        layout = QVBoxLayout(self)
        self.status = QLabel("")
        self.status.setObjectName("deployLogsStatus")
        layout.addWidget(self.status)
        self.text = QPlainTextEdit()
        self.text.setObjectName("deployLogsText")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("deployLogsRefresh")
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.refresh_button.clicked.connect(self.refresh)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        record, read = self.record, self.read_logs
        self.status.setText(f"Reading the last {LINES} lines…")
        self.runner.submit(lambda _ctx: read(record, LINES), key=TaskKey.DEPLOY_LOGS,
                           scope=id(self), owner=self, description=f"log of {record.name}",
                           on_result=self._show, on_error=self._failed)

    def _show(self, text: str) -> None:
        self.text.setPlainText(text or "(the log is empty)")
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.status.setText(f"{self.record.name} · {self.record.status} · "
                            f"{self.record.endpoint or 'no endpoint'}")

    def _failed(self, error: ModelHubError) -> None:
        if not isinstance(error, Cancelled):
            self.status.setText(f"Could not read the log: {error}")
