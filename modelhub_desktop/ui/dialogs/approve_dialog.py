"""Approve, reject or cancel a request. Approving over failing checks means ticking each
one and giving a reason, which is recorded with the decision."""

from __future__ import annotations

from typing import Any, Literal

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
)

from modelhub_desktop.core.requests import PromotionRequest, blocking_checks

Mode = Literal["approve", "reject", "cancel"]
_TITLES = {"approve": "Approve request", "reject": "Reject request", "cancel": "Cancel request"}


class ApproveDialog(QDialog):
    def __init__(self, req: PromotionRequest, mode: Mode, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("approveDialog")
        self.setWindowTitle(_TITLES[mode])
        self.mode = mode
        self.request = req
        layout = QVBoxLayout(self)
        what = QLabel(f"{_TITLES[mode]}: v{req.version} of {req.model_name} → "
                      f"{req.target.label}, asked by {req.requester}.")
        what.setWordWrap(True)
        layout.addWidget(what)
        self.overrides: dict[str, QCheckBox] = {}
        failing = blocking_checks(req) if mode == "approve" else []
        if failing:
            warn = QLabel(f"{len(failing)} check(s) failed. Approving anyway overrides them; "
                          "tick each one and say why.")
            warn.setWordWrap(True)
            warn.setStyleSheet("color: #cf222e; font-weight: bold;")
            layout.addWidget(warn)
            for check in failing:
                box = QCheckBox(f"Override “{check.title}”: {check.message}")
                box.setObjectName("overrideCheck")
                box.toggled.connect(self._update)
                self.overrides[check.id] = box
                layout.addWidget(box)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("decisionReason")
        self.reason.setMaximumHeight(90)
        self.reason.setPlaceholderText({"approve": "Comment (required to override checks)",
                                        "reject": "Why is it rejected? (required)",
                                        "cancel": "Why cancel? (optional)"}[mode])
        self.reason.textChanged.connect(self._update)
        layout.addWidget(self.reason)
        self.hint = QLabel("")
        self.hint.setObjectName("decisionHint")
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText({"approve": "Approve", "reject": "Reject",
                         "cancel": "Cancel request"}[mode])
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update()

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def chosen_overrides(self) -> list[str]:
        return [cid for cid, box in self.overrides.items() if box.isChecked()]

    def _update(self) -> None:
        why = ""
        if self.mode == "approve" and self.overrides:
            if len(self.chosen_overrides()) < len(self.overrides):
                why = "Tick every failing check to approve over it."
            elif not self.reason_text():
                why = "Overriding a failing check needs a reason."
        elif self.mode == "reject" and not self.reason_text():
            why = "Say why the request is rejected."
        self.hint.setText(why)
        self.ok.setEnabled(not why)
        self.ok.setToolTip(why)
