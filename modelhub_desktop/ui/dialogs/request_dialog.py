"""Ask for a version to be promoted: target alias or stage, and a comment."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
)

from modelhub_desktop.core.errors import InvalidInput
from modelhub_desktop.core.requests import Target

TARGETS = ("@champion", "@challenger", "stage:Staging", "stage:Production")


class RequestDialog(QDialog):
    def __init__(self, model_name: str, version: int, rules: list[str], approvals: int,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestDialog")
        self.setWindowTitle("Request promotion")
        intro = QLabel(f"Ask for <b>v{version}</b> of <b>{_esc(model_name)}</b> to be "
                       f"promoted. {approvals} approval(s) from someone else are needed.")
        intro.setWordWrap(True)
        self.target = QComboBox()
        self.target.setObjectName("requestTarget")
        self.target.setEditable(True)
        self.target.addItems(TARGETS)
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("requestComment")
        self.comment.setPlaceholderText("Why this version? (seen by the approvers)")
        self.comment.setMaximumHeight(90)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #cf222e;")
        checks = QLabel("Checks that will run: " + (", ".join(rules) or "none"))
        checks.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Promote to", self.target)
        form.addRow("Comment", self.comment)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Request")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.target.currentTextChanged.connect(lambda _t: self.error.setText(""))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(checks)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def chosen_target(self) -> Target:
        return Target.parse(self.target.currentText())

    def comment_text(self) -> str:
        return self.comment.toPlainText().strip()

    def _accept(self) -> None:
        try:
            self.chosen_target()
        except InvalidInput as exc:
            self.error.setText(str(exc))
            return
        self.accept()


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
