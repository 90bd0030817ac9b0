"""The frame every write dialog shares: a message, its own fields, a reason, confirm/cancel.

The reason goes into the audit entry on the server. Dialogs are opened with `open()`
(window-modal, not blocking) and report through `accepted`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class WriteDialog(QDialog):
    def __init__(self, title: str, message: str, confirm_text: str, object_name: str,
                 parent: Any = None, with_reason: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.body = QVBoxLayout(self)
        self.message = QLabel(message)
        self.message.setObjectName("writeMessage")
        self.message.setWordWrap(True)
        self.body.addWidget(self.message)
        self.fields = QVBoxLayout()
        self.body.addLayout(self.fields)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("writeReason")
        self.reason_edit.setPlaceholderText("optional; kept in the audit trail on the server")
        if with_reason:
            self.body.addWidget(QLabel("Reason:"))
            self.body.addWidget(self.reason_edit)
        self.problem = QLabel("")
        self.problem.setObjectName("writeProblem")
        self.problem.setStyleSheet("QLabel { color: #b00020; }")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.body.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm: QPushButton = buttons.addButton(
            confirm_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("writeConfirm")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.body.addWidget(buttons)

    def add_field(self, label: str, widget: QWidget) -> None:
        if label:
            self.fields.addWidget(QLabel(label))
        self.fields.addWidget(widget)

    def set_problem(self, text: str) -> None:
        """Say what is wrong with the input and keep the confirm button off until fixed."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        self.confirm.setEnabled(not text)

    def set_ready(self, ready: bool) -> None:
        """Confirm only once the input is complete (no message needed)."""
        self.confirm.setEnabled(ready)

    def reason(self) -> str:
        return self.reason_edit.text().strip()
