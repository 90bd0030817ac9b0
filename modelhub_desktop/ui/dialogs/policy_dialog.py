"""Edit a connection's review policy: approvals required, who approves (where the server has
no user accounts), and the check rules for every model and for one model at a time.

Rules are text, one per line (core/checks.py); each line is checked as it is typed and a
wrong one is named by its number with the reason. Saved through core/approval_policy.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
)

from modelhub_desktop.core.approval_policy import (
    ApprovalPolicy,
    approver_names,
    rule_lines,
    rule_problems,
)

RULES_HELP = ("One rule per line: metric auc >= 0.8 · not-worse auc 0.02 · "
              "tag validation_status = passed · signature · run-finished · smoke "
              "(# starts a comment)")


def _rules_edit(name: str, lines: Sequence[str]) -> QPlainTextEdit:
    edit = QPlainTextEdit("\n".join(lines))
    edit.setObjectName(name)
    edit.setPlaceholderText("No rules")
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(80)
    return edit


class PolicyDialog(QDialog):
    """The policy of one profile; `accounts` True: the server names approvers (MANAGE)."""

    def __init__(self, profile_name: str, policy: ApprovalPolicy, model_names: Sequence[str],
                 model_name: str = "", accounts: bool = False, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("policyDialog")
        self.setWindowTitle(f"Approval rules — {profile_name}")
        self.policy = policy
        self._model_rules = {k: list(v) for k, v in policy.model_rules.items()}
        self.approvals = QSpinBox()
        self.approvals.setObjectName("policyApprovals")
        self.approvals.setRange(1, 10)
        self.approvals.setValue(policy.required_approvals)
        self.approvers = QLineEdit(", ".join(policy.approvers))
        self.approvers.setObjectName("policyApprovers")
        self.approvers.setPlaceholderText("Anyone but the requester")
        if accounts:
            self.approvers.setEnabled(False)
            self.approvers.setToolTip("This server has user accounts: users with MANAGE on "
                                      "the model approve.")
        self.rules = _rules_edit("policyRules", policy.rules)
        self.model = QComboBox()
        self.model.setObjectName("policyModel")
        self.model.setMinimumContentsLength(24)
        self.model.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        names = list(dict.fromkeys([*model_names, *sorted(self._model_rules)]))
        if model_name and model_name not in names:
            names.insert(0, model_name)
        for name in names:
            self.model.addItem(name)
            self.model.setItemData(self.model.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
        self.model.setCurrentIndex(max(names.index(model_name), 0) if model_name in names else 0)
        self._shown_model = self.model.currentText()
        self.model_rules = _rules_edit("policyModelRules",
                                       self._model_rules.get(self._shown_model, ()))
        self.model_rules.setEnabled(bool(names))
        self.problems = QLabel("")
        self.problems.setObjectName("policyProblems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #cf222e;")
        help_label = QLabel(RULES_HELP)
        help_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Approvals required", self.approvals)
        form.addRow("Approvers", self.approvers)
        form.addRow("Rules for every model", self.rules)
        form.addRow("Model", self.model)
        form.addRow("Its own rules", self.model_rules)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(help_label)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.rules.textChanged.connect(self._validate)
        self.model_rules.textChanged.connect(self._validate)
        self.model.currentTextChanged.connect(self._switch_model)
        self.resize(620, 520)
        self._validate()

    def _switch_model(self, name: str) -> None:
        self._keep_model_rules()
        self._shown_model = name
        self.model_rules.setPlainText("\n".join(self._model_rules.get(name, ())))

    def _keep_model_rules(self) -> None:
        if self._shown_model:
            self._model_rules[self._shown_model] = list(
                rule_lines(self.model_rules.toPlainText()))

    def problem_lines(self) -> list[str]:
        """Every wrong line, in the profile's rules and then the shown model's."""
        out = [f"Rules for every model, {p[0].lower()}{p[1:]}"
               for p in rule_problems(self.rules.toPlainText().splitlines())]
        shown = {self._shown_model: self.model_rules.toPlainText().splitlines()}
        for name, lines in {**self._model_rules, **shown}.items():
            out += [f"Rules of {name}, {p[0].lower()}{p[1:]}" for p in rule_problems(lines)]
        return out

    def _validate(self) -> None:
        problems = self.problem_lines()
        self.problems.setText("\n".join(problems))
        self.ok.setEnabled(not problems)

    def chosen_policy(self) -> ApprovalPolicy:
        self._keep_model_rules()
        models = {k: tuple(v) for k, v in self._model_rules.items() if v}
        approvers = (self.policy.approvers if not self.approvers.isEnabled()
                     else approver_names(self.approvers.text()))
        return ApprovalPolicy(self.approvals.value(), approvers,
                              rule_lines(self.rules.toPlainText()), models)

    def _accept(self) -> None:
        if self.problem_lines():
            return
        self.accept()
