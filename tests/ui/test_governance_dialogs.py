"""The governance dialogs and the History view on their own: what they let through, what
they say, and what they hand back."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from modelhub_desktop.core import audit
from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.core.governance_settings import (
    OFF,
    GovernanceSettings,
    interval_problem,
    read_aliases,
    read_interval,
)
from modelhub_desktop.core.history import model_history
from modelhub_desktop.core.lineage import SchemaColumn, VersionLineage
from modelhub_desktop.core.promotion import build_preview
from modelhub_desktop.ui.dialogs.alias_dialog import AliasDialog, alias_problem
from modelhub_desktop.ui.dialogs.delete_dialog import DeleteDialog
from modelhub_desktop.ui.dialogs.description_dialog import DescriptionDialog
from modelhub_desktop.ui.dialogs.governance_settings_dialog import GovernanceSettingsDialog
from modelhub_desktop.ui.dialogs.promote_dialog import PromoteDialog
from modelhub_desktop.ui.dialogs.stage_dialog import StageDialog
from modelhub_desktop.ui.dialogs.tags_dialog import TagsDialog
from modelhub_desktop.ui.views.history_view import HistoryView


def test_alias_dialog_says_what_moves_and_refuses_bad_names(qtbot: QtBot) -> None:
    dialog = AliasDialog("churn", 4, {"champion": 3, "shadow": 4}, ["champion", "challenger"])
    qtbot.addWidget(dialog)
    dialog.combo.setCurrentText("champion")
    assert "from <b>v3</b> to <b>v4</b>" in dialog.message.text()
    assert dialog.expected() == 3 and dialog.confirm.isEnabled()
    dialog.combo.setCurrentText("challenger")
    assert "Add <b>@challenger</b>" in dialog.message.text() and dialog.expected() is None
    dialog.combo.setCurrentText("shadow")
    assert not dialog.confirm.isEnabled()
    dialog.combo.setCurrentText("v2")
    assert not dialog.confirm.isEnabled() and "reserved" in dialog.problem.text()
    assert alias_problem("a b") == ('"a b": alias names may only contain letters, digits, '
                                    'underscores (_) and dashes (-).')
    assert "reserved" in alias_problem("Latest")


def test_delete_needs_the_exact_name(qtbot: QtBot) -> None:
    name = "模型 " + "x" * 190
    dialog = DeleteDialog(f"model {name}", name)
    qtbot.addWidget(dialog)
    assert not dialog.confirm.isEnabled()
    dialog.typed.setText(name.upper())
    assert not dialog.confirm.isEnabled()
    dialog.typed.setText(name)
    assert dialog.confirm.isEnabled()


def test_tags_dialog_hands_back_changes(qtbot: QtBot) -> None:
    dialog = TagsDialog("Tags", {"team": "a", "old": "x", "mlflow.source": "hidden",
                                 "modelhub.audit.00000001.ab": "{}"})
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 2 and not dialog.confirm.isEnabled()
    dialog.model.item(1, 1).setText("b")  # team (sorted: old, team)
    dialog.table.selectRow(0)
    dialog.remove_selected()
    dialog.add_row("new ü", "1")
    assert dialog.changes() == {"team": "b", "old": None, "new ü": "1"}
    dialog.add_row("mlflow.x", "no")
    assert not dialog.confirm.isEnabled() and "reserved" in dialog.problem.text()


def test_description_preview_and_stage_archive(qtbot: QtBot) -> None:
    dialog = DescriptionDialog("Description", "old")
    qtbot.addWidget(dialog)
    assert not dialog.confirm.isEnabled()
    dialog.editor.setPlainText("## Title\n\n- one")
    assert "Title" in dialog.preview.toPlainText() and dialog.confirm.isEnabled()
    stage = StageDialog("m", 3, "Staging", {1: "Production", 2: "Production", 3: "Staging"})
    qtbot.addWidget(stage)
    stage.combo.setCurrentText("Production")
    assert stage.holders() == [1, 2] and "v1, v2 will be archived" in stage.message.text()
    stage.combo.setCurrentText("Archived")
    assert not stage.archive.isEnabled() and not stage.archive_existing()


def test_promote_dialog_marks_the_better_side(qtbot: QtBot) -> None:
    old = VersionLineage(inputs=(SchemaColumn("age", "long"),))
    new = VersionLineage(inputs=(SchemaColumn("age", "double"), SchemaColumn("zip", "string")))
    preview = build_preview("churn", "champion", ModelVersion("churn", 3), RunData(
        "a", metrics={"auc": 0.8, "loss": 0.2}, params={"lr": "0.1"}),
        ModelVersion("churn", 7), RunData("b", metrics={"auc": 0.9, "loss": 0.3},
                                          params={"lr": "0.05"}), {}, old, new, [])
    dialog = PromoteDialog(preview)
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    assert "v7 is better on 1, worse on 1 of 2 metrics" in text
    assert "▲ 0.9" in text and "▲ 0.2" in text
    assert "retyped age: long → double" in text and "added zip (string)" in text
    assert "No deployments known." in text
    assert dialog.confirm.text() == "Promote v7"


def test_history_view_answers_the_date_question(qtbot: QtBot) -> None:
    first = audit.next_event([], who="ann", when=1_700_000_000_000, action="alias.set",
                             target="@champion", to="1")
    second = audit.next_event([first], who="bob", when=1_700_100_000_000, action="alias.set",
                              target="@champion", from_="1", to="2", reason="better")
    tags = dict([audit.encode(first), audit.encode(second)])
    view = HistoryView()
    qtbot.addWidget(view)
    view.set_history(model_history("churn", tags, [], {"champion": 2}, None,
                                   1_700_200_000_000))
    assert view.spans.rowCount() == 2 and not view.broken.isVisible()
    view.ask("@champion", 1_700_050_000_000)
    assert view.answer.text().endswith(": v1")
    view.ask("@champion", 1_700_150_000_000)
    assert view.answer.text().endswith(": v2")
    assert view.export_button.isEnabled()


def test_governance_settings_check_alias_names_and_the_interval(qtbot: QtBot) -> None:
    current = GovernanceSettings(("champion", "challenger"), 120)
    dialog = GovernanceSettingsDialog("prod ü", current)
    qtbot.addWidget(dialog)
    assert dialog.aliases.text() == "champion, challenger"
    assert dialog.watch.isChecked() and dialog.interval.value() == 120
    assert dialog.ok.isEnabled() and not dialog.problem.isVisibleTo(dialog)
    for bad, words in (("champion, latest", "reserved"), ("v3", "reads as a version"),
                       ("a.b", "letters, digits"), ("x" * 256, "at most 255"),
                       ("", "at least one")):
        dialog.aliases.setText(bad)
        assert not dialog.ok.isEnabled(), bad
        assert words in dialog.problem.text(), (bad, dialog.problem.text())
    dialog.aliases.setText("gold, silver-2,  gold  Блеск_1")
    assert dialog.ok.isEnabled()
    assert dialog.interval.minimum() == 15 and dialog.interval.maximum() == 3600
    dialog.interval.setValue(5)  # clamped to the minimum
    assert dialog.settings() == GovernanceSettings(("gold", "silver-2", "Блеск_1"), 15)
    dialog.watch.setChecked(False)
    assert not dialog.interval.isEnabled()
    assert dialog.settings().watch_interval_s == OFF and not dialog.settings().watching


def test_stored_governance_settings_are_checked_on_reading() -> None:
    assert read_interval(None) == 120 and read_interval("45") == 45
    assert read_interval("0") == OFF
    assert read_interval("5") == 120 and read_interval("99999") == 120  # out of range
    assert read_aliases(None) == ["champion", "challenger"]
    assert read_aliases(["gold", "silver"]) == ["gold", "silver"]
    assert read_aliases("gold") == ["gold"]
    assert read_aliases(["gold", "latest"]) == ["champion", "challenger"]
    assert interval_problem(14) and interval_problem(3601) and not interval_problem(3600)
