"""The approval-rules editor: per-line validation that names the wrong line, rules per
profile and per model, approvers only where the server has no accounts, saved to
approval-policies.json; reachable from the Inbox and the model and version menus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMenu

from modelhub_desktop.core.approval_policy import (
    ApprovalPolicy,
    PolicyStore,
    approver_names,
    rule_lines,
    rule_problems,
)
from modelhub_desktop.core.domain import RegisteredModel
from modelhub_desktop.ui.dialogs.policy_dialog import PolicyDialog
from tests.helpers import close_when_idle, open_window
from tests.servers import MlflowServer

LONG = "policy-" + "p" * 193


def test_rule_text_helpers() -> None:
    assert rule_problems(["metric auc >= 0.8", "", "# note", "auc at least 0.8",
                          "metric auc >= high"]) == [
        "Line 4: Rule 'auc at least 0.8' is not understood. Write one of: 'metric auc >= "
        "0.8', 'not-worse auc 0.02', 'tag validation_status = passed', 'signature', "
        "'run-finished', 'smoke'.",
        "Line 5: Rule 'metric auc >= high': the number is not a number."]
    assert rule_lines("  smoke \n\n signature\n") == ("smoke", "signature")
    assert approver_names("bob, carol\nbob,, dan ") == ("bob", "carol", "dan")


def test_editing_rules_names_wrong_lines_and_keeps_each_models_rules(
        qtbot: Any, tmp_path: Path) -> None:
    policy = ApprovalPolicy(2, ("bob",), ("signature",), {"churn": ("smoke",)})
    dialog = PolicyDialog("team", policy, ["churn", LONG], "churn")
    qtbot.addWidget(dialog)
    assert dialog.objectName() == "policyDialog"
    assert dialog.approvals.value() == 2 and dialog.approvers.text() == "bob"
    assert dialog.model.currentText() == "churn"
    assert dialog.model_rules.toPlainText() == "smoke"
    assert dialog.ok.isEnabled() and dialog.problems.text() == ""

    dialog.rules.setPlainText("signature\nmetric auc => 0.8")
    assert not dialog.ok.isEnabled()
    assert dialog.problems.text().startswith(
        "Rules for every model, line 2: Rule 'metric auc => 0.8' is not understood.")
    dialog.rules.setPlainText("signature\nmetric auc >= 0.8")
    assert dialog.ok.isEnabled()

    dialog.model.setCurrentText(LONG)
    assert dialog.model_rules.toPlainText() == ""
    dialog.model_rules.setPlainText("run-finished\nnot-worse auc")
    assert dialog.problems.text().startswith(f"Rules of {LONG}, line 2: ")
    assert not dialog.ok.isEnabled()
    dialog.model.setCurrentText("churn")  # the wrong line elsewhere still blocks saving
    assert dialog.model_rules.toPlainText() == "smoke" and not dialog.ok.isEnabled()
    dialog.model.setCurrentText(LONG)
    assert dialog.model_rules.toPlainText() == "run-finished\nnot-worse auc"
    dialog.model_rules.setPlainText("run-finished\nnot-worse auc 0.02")
    assert dialog.ok.isEnabled()
    assert dialog.sizeHint().width() < 900  # a 200-character name does not widen it

    dialog.approvals.setValue(3)
    dialog.approvers.setText("bob, carol")
    chosen = dialog.chosen_policy()
    assert chosen == ApprovalPolicy(3, ("bob", "carol"), ("signature", "metric auc >= 0.8"),
                                    {"churn": ("smoke",),
                                     LONG: ("run-finished", "not-worse auc 0.02")})
    store = PolicyStore(tmp_path)
    store.set("team", chosen)
    assert store.get("team") == chosen
    assert store.get("team").rule_lines(LONG) == ["signature", "metric auc >= 0.8",
                                                  "run-finished", "not-worse auc 0.02"]


def test_on_a_server_with_accounts_the_approver_list_is_not_edited(qtbot: Any) -> None:
    dialog = PolicyDialog("auth", ApprovalPolicy(approvers=("old",)), [], accounts=True)
    qtbot.addWidget(dialog)
    assert not dialog.approvers.isEnabled()
    assert "MANAGE" in dialog.approvers.toolTip()
    dialog.approvers.setText("someone")
    assert dialog.chosen_policy().approvers == ("old",)
    assert not dialog.model_rules.isEnabled()  # no model to attach rules to


@pytest.mark.e2e
def test_the_inbox_and_the_menus_open_the_editor_and_it_saves(
        qtbot: Any, mlflow_server: MlflowServer, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QPushButton

    window = open_window(qtbot, mlflow_server.url, tmp_path / "d")
    feature = window.approval
    button = window.findChild(QPushButton, "inboxPolicy")
    assert button is not None and button.text() == "Policy…"
    button.click()
    dialog = feature.dialog
    assert isinstance(dialog, PolicyDialog) and dialog.isVisible()
    dialog.rules.setPlainText("smoke\nrun-finished\ntag stage = ok")
    dialog.approvers.setText("bob")
    dialog.ok.click()
    saved = json.loads((window.ctx.paths.config_dir / "approval-policies.json").read_text())
    assert saved["e2e"]["rules"] == ["smoke", "run-finished", "tag stage = ok"]
    assert saved["e2e"]["approvers"] == ["bob"]
    assert feature.policy.rules_for("any")[0].text == "smoke"

    menu = QMenu()
    window.model_list.menuRequested.emit(menu, RegisteredModel("churn"))
    action = next(a for a in menu.actions() if a.text() == "Approval rules…")
    action.trigger()
    dialog = feature.dialog
    assert isinstance(dialog, PolicyDialog) and dialog.model.currentText() == "churn"
    dialog.model_rules.setPlainText("metric auc >= 0.9")
    dialog.ok.click()
    assert feature.policy.rule_lines("churn")[-1] == "metric auc >= 0.9"
    menu.deleteLater()
    close_when_idle(qtbot, window)
