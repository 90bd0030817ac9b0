"""Governance through the main window against a real `mlflow server`: promote, roll back
(alias and stage), edit description and tags, rename, delete with type-the-name
confirmation, moves by a second client observed in the History view, a tampered audit
entry shown as broken, and the request count of one promote."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from modelhub_desktop.core import audit
from modelhub_desktop.core.governance import actor
from modelhub_desktop.core.governance_store import GovernanceStore
from modelhub_desktop.ui.dialogs.choice_dialog import ChoiceDialog
from modelhub_desktop.ui.dialogs.delete_dialog import DeleteDialog
from modelhub_desktop.ui.dialogs.promote_dialog import PromoteDialog
from modelhub_desktop.ui.model_watch import NoticeBarNotifier, TrayNotifier, choose_notifier
from modelhub_desktop.ui.models.model_list_model import COL_ALIASES
from tests.builders import client_for, make_model
from tests.e2e.gov_helpers import aliases_shown, confirm, open_on, select, trigger
from tests.helpers import CountingProxy, close_when_idle, open_window, wait_for_tasks
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

NAMES = ["gov ui ü – модель 模型 with spaces", "u" * 200]


def _log_events(client: object) -> list[audit.AuditEvent]:
    """The events a plain client reads on the "ModelHub audit" experiment (chain intact)."""
    exp = client.get_experiment_by_name("ModelHub audit")  # type: ignore[attr-defined]
    assert exp is not None
    events, problems = audit.read_tags(exp.tags)
    assert not problems and audit.verify(exp.tags).ok
    return events


def _events(client: object, name: str) -> list[audit.AuditEvent]:
    events, problems = audit.read_tags(client.get_registered_model(name).tags)  # type: ignore[attr-defined]
    assert not problems
    return events


@pytest.mark.parametrize("name", NAMES, ids=["unicode-spaces", "200-chars"])
def test_promote_and_roll_back_an_alias(qtbot: QtBot, mlflow_server: MlflowServer,
                                        tmp_path: Path, name: str) -> None:
    plain = client_for(mlflow_server.url)
    make_model(plain, name, 3, n_params=2, n_metrics=2, aliases={"champion": 1})
    window = open_on(qtbot, mlflow_server.url, tmp_path / "data", name, 3)
    select(qtbot, window, 3)
    window.governance.deployments_for = lambda model, v: [f"{model[:8]}-svc v{v} (running)"]

    dialog = trigger(qtbot, window, "promote:champion")
    assert isinstance(dialog, PromoteDialog) and dialog.objectName() == "promoteDialog"
    p = dialog.preview
    assert (p.current.version, p.candidate.version) == (1, 3)  # type: ignore[union-attr]
    assert {d.key: d.better for d in p.metrics} == {"m0": "candidate", "m1": "candidate"}
    assert [(d.key, d.current, d.candidate) for d in p.params] == [
        ("p0", "0", "20"), ("p1", "1", "21")]
    text = dialog.browser.toPlainText()
    assert f"Deployments serving v1{name[:8]}-svc v1 (running)" in text.replace("\n", "")
    assert "▲" in text
    dialog.reason_edit.setText("higher m0")
    confirm(qtbot, window, dialog)

    assert plain.get_registered_model(name).aliases == {"champion": "3"}
    assert aliases_shown(window) == {3: ("champion",), 2: (), 1: ()}
    listed = window.model_list.model
    assert listed.data(listed.index(listed.row_of(name), COL_ALIASES)) == "champion→v3"
    last = _events(plain, name)[-1]
    assert (last.who, last.action, last.target, last.from_, last.to, last.reason) == (
        actor(), "alias.set", "@champion", "1", "3", "higher m0")

    # roll back: @champion goes back to v1, the version that held it before
    dialog = trigger(qtbot, window, "rollbackAliasAction")
    assert isinstance(dialog, ChoiceDialog) and dialog.choice() == "champion"
    assert "back from v3 to <b>v1</b>" in dialog.message.text()
    confirm(qtbot, window, dialog)
    assert plain.get_registered_model(name).aliases == {"champion": "1"}
    assert aliases_shown(window)[1] == ("champion",)
    assert _events(plain, name)[-1].action == "alias.rollback"
    window.governance.show_history()
    history = window.governance.history_view
    assert {(r.span.version, r.span.start_source) for r in history.spans.records()} >= {
        (3, "audit"), (1, "audit")}


def test_promote_costs_at_most_five_requests(qtbot: QtBot, mlflow_server: MlflowServer,
                                             tmp_path: Path) -> None:
    name = "gov counted promote"
    make_model(client_for(mlflow_server.url), name, 2, n_params=1, n_metrics=1,
               aliases={"champion": 1})
    proxy = CountingProxy(mlflow_server.port).start()
    try:
        window = open_on(qtbot, proxy.url, tmp_path / "data", name, 2)
        select(qtbot, window, 2)
        proxy.reset_counts()
        dialog = trigger(qtbot, window, "promote:champion")
        confirm(qtbot, window, dialog)
        qtbot.waitUntil(lambda: aliases_shown(window)[2] == ("champion",))
        counts = proxy.counts()
    finally:
        proxy.stop()
    print(f"\npromote, click to refreshed row: {sum(counts.values())} requests {dict(counts)}")
    assert sum(counts.values()) <= 5, counts
    assert counts["POST /api/2.0/mlflow/registered-models/alias"] == 1


def test_stage_change_and_production_roll_back(qtbot: QtBot, mlflow_server: MlflowServer,
                                               tmp_path: Path) -> None:
    name = "gov stage ui ü"
    plain = client_for(mlflow_server.url)
    make_model(plain, name, 2, n_params=1, n_metrics=1)
    with pytest.warns(FutureWarning):
        plain.transition_model_version_stage(name, "1", "Production")
    window = open_on(qtbot, mlflow_server.url, tmp_path / "data", name, 2)
    select(qtbot, window, 2)
    dialog = trigger(qtbot, window, "changeStageAction")
    dialog.combo.setCurrentText("Production")
    assert dialog.archive_existing() and "v1 will be archived" in dialog.message.text()
    confirm(qtbot, window, dialog)
    stages = {int(v.version): v.current_stage
              for v in plain.search_model_versions(f"name = '{name}'")}
    assert stages == {1: "Archived", 2: "Production"}
    qtbot.waitUntil(lambda: {r.version.version: r.version.current_stage
                             for r in window.version_table.model.records()} == stages)

    dialog = trigger(qtbot, window, "rollbackStageAction")
    assert "Put <b>v1</b>" in dialog.message.text()
    confirm(qtbot, window, dialog)
    stages = {int(v.version): v.current_stage
              for v in plain.search_model_versions(f"name = '{name}'")}
    assert stages == {1: "Production", 2: "Archived"}
    qtbot.waitUntil(lambda: {r.version.version: r.version.current_stage
                             for r in window.version_table.model.records()} == stages)
    assert [e.action for e in _events(plain, name)] == ["stage.transition", "stage.rollback"]


def test_edit_rename_and_delete(qtbot: QtBot, mlflow_server: MlflowServer,
                                tmp_path: Path) -> None:
    name = "gov edit ü model"
    plain = client_for(mlflow_server.url)
    make_model(plain, name, 3, n_params=1, n_metrics=1, aliases={"champion": 3})
    window = open_on(qtbot, mlflow_server.url, tmp_path / "data", name, 3)
    acts = window.governance.actions

    # description, with its Markdown preview
    dialog = trigger(qtbot, window, "editModelDescriptionAction")
    dialog.editor.setPlainText("# Churn\n\nPredicts **churn** per customer.")
    assert "Predicts churn per customer." in dialog.preview.toPlainText()
    confirm(qtbot, window, dialog)
    assert plain.get_registered_model(name).description.startswith("# Churn")

    # version tags: add one
    select(qtbot, window, 2)
    dialog = trigger(qtbot, window, "editVersionTagsAction")
    dialog.add_row("team", "retention ü")
    confirm(qtbot, window, dialog)
    assert plain.get_model_version(name, "2").tags == {"team": "retention ü"}
    qtbot.waitUntil(lambda: window.version_table.current_row() is not None
                    and window.version_table.current_row().version.tags.get("team")
                    == "retention ü")

    # deleting the alias holder is refused with the reason
    select(qtbot, window, 3)
    assert not acts["deleteVersionAction"].isEnabled()
    assert acts["deleteVersionAction"].toolTip() == (
        f"v3 of {name} holds @champion: move or remove it before deleting the version.")
    assert not window.governance.detail_buttons["deleteVersionAction"].isEnabled()
    assert not acts["deleteModelAction"].isEnabled()
    assert "still has aliases" in acts["deleteModelAction"].toolTip()

    # delete v2 behind type-the-name
    select(qtbot, window, 2)
    dialog = trigger(qtbot, window, "deleteVersionAction")
    assert isinstance(dialog, DeleteDialog) and not dialog.confirm.isEnabled()
    dialog.typed.setText("v3")
    assert not dialog.confirm.isEnabled()
    dialog.typed.setText("v2")
    confirm(qtbot, window, dialog)
    assert sorted(int(v.version) for v in plain.search_model_versions(f"name = '{name}'")) \
        == [1, 3]
    qtbot.waitUntil(lambda: sorted(aliases_shown(window)) == [1, 3])

    # rename: the list shows the new name and the history goes with it
    new = name + " renamed 模型"
    dialog = trigger(qtbot, window, "renameModelAction")
    dialog.edit.setText(new)
    confirm(qtbot, window, dialog)
    assert plain.get_registered_model(new).aliases == {"champion": "3"}
    qtbot.waitUntil(lambda: window.controller.current_model == new
                    and window.version_table.model.rowCount() == 2, timeout=30000)
    wait_for_tasks(qtbot, window.ctx.runner)
    actions = [e.action for e in _events(plain, new)]
    assert actions == ["description.edit", "tag.set", "version.delete", "model.rename"]
    # a reader of the old name finds where it went, in the registry-wide log
    renamed = [e for e in _log_events(plain) if e.action == "model.rename" and e.from_ == name]
    assert [(e.to, e.who, e.target) for e in renamed] == [(new, actor(), "model")]
    assert window.governance.history_view.history is not None
    assert window.governance.history_view.history.model_name == new


def test_delete_a_model_behind_its_name(qtbot: QtBot, mlflow_server: MlflowServer,
                                        tmp_path: Path) -> None:
    name = "gov delete whole ü"
    plain = client_for(mlflow_server.url)
    make_model(plain, name, 1, n_params=1, n_metrics=1)
    window = open_on(qtbot, mlflow_server.url, tmp_path / "data", name, 1)
    dialog = trigger(qtbot, window, "deleteModelAction")
    dialog.typed.setText(name[:-1])
    assert not dialog.confirm.isEnabled()
    dialog.typed.setText(name)
    dialog.reason_edit.setText("replaced by gov delete v2")
    before = int(time.time() * 1000)
    confirm(qtbot, window, dialog)
    assert not plain.search_registered_models(f"name = '{name}'")
    qtbot.waitUntil(lambda: all(m.name != name for m in window.model_list.model.records()))

    # the model's tags went with it: a plain client finds the deletion on the experiment
    found = [e for e in _log_events(plain) if e.action == "model.delete" and e.from_ == name]
    assert len(found) == 1
    event = found[0]
    assert (event.who, event.target, event.to, event.reason) == (
        actor(), "model", "", "replaced by gov delete v2")
    assert before <= event.when <= int(time.time() * 1000)

    # ... and the History tab's "Deleted models" window shows it (from the cache, then
    # read again from the server)
    window.governance.show_history()
    window.governance.history_view.deleted_button.click()
    view = window.governance.deleted_models.view
    assert view is not None and view.isVisible() and view.objectName() == "deletedModelsView"
    wait_for_tasks(qtbot, window.ctx.runner)
    shown = [view.proxy.index(r, 3).data() for r in range(view.proxy.rowCount())]
    assert f"model deleted: {name}" in shown
    assert not view.broken.isVisible()
    view.close()
    store = GovernanceStore(window.controller.session.cache)  # type: ignore[union-attr]
    assert event.key in store.registry_log()
    window.refresh()  # a full sync keeps the registry-wide mirror
    wait_for_tasks(qtbot, window.ctx.runner)
    assert event.key in store.registry_log()


def test_second_client_move_is_observed_and_tamper_shows_broken(
        qtbot: QtBot, mlflow_server: MlflowServer, tmp_path: Path) -> None:
    name = "gov observed ü"
    plain = client_for(mlflow_server.url)
    make_model(plain, name, 3, n_params=1, n_metrics=1, aliases={"champion": 1})
    window = open_on(qtbot, mlflow_server.url, tmp_path / "data", name, 3)
    select(qtbot, window, 2)
    confirm(qtbot, window, trigger(qtbot, window, "promote:champion"))
    before_move = int(time.time() * 1000)

    # another client moves the alias; the watch notices it
    plain.set_registered_model_alias(name, "champion", "3")
    window.governance.watch.poll_now()
    wait_for_tasks(qtbot, window.ctx.runner)
    assert f"{name}: @champion moved v2 → v3" in window.notice.label.text()
    qtbot.waitUntil(lambda: aliases_shown(window).get(3) == ("champion",))

    window.governance.show_history()
    view = window.governance.history_view
    rows = {(r.span.version, r.span.start_source): r for r in view.spans.records()}
    assert set(rows) == {(1, "unknown"), (2, "audit"), (3, "observed")}
    shown = [view.span_proxy.index(r, 5).data() for r in range(view.span_proxy.rowCount())]
    assert "observed (another client)" in shown
    view.ask("@champion", before_move - 1)
    assert view.answer.text().endswith(": v2")

    # someone with EDIT rewrites the app's audit entry; a refresh shows it broken
    tags = plain.get_registered_model(name).tags
    key = next(k for k in tags if audit.is_audit_key(k))
    body = json.loads(tags[key])
    body["who"] = "somebody else"
    plain.set_registered_model_tag(name, key, json.dumps(body))
    window.refresh()
    wait_for_tasks(qtbot, window.ctx.runner)
    qtbot.waitUntil(lambda: view.broken.isVisible())
    assert "1 audit entry failed verification: Entry #1 was changed" in view.broken.text()
    checks = [view.event_proxy.index(r, 5).data() for r in range(view.event_proxy.rowCount())]
    assert any(c.startswith("BROKEN (altered)") for c in checks)
    assert any(r.check for r in view.spans.records() if r.span.version == 2)
    csv_path = view.export_csv(tmp_path / "history.csv")
    assert "@champion,3," in csv_path.read_text(encoding="utf-8")


def test_offline_actions_say_why_and_history_reads_from_the_cache(
        qtbot: QtBot, mlflow_server: MlflowServer, tmp_path: Path) -> None:
    name = "gov offline ü"
    make_model(client_for(mlflow_server.url), name, 2, n_params=1, n_metrics=1,
               aliases={"champion": 1})
    data = tmp_path / "data"
    window = open_on(qtbot, mlflow_server.url, data, name, 2)
    select(qtbot, window, 2)
    confirm(qtbot, window, trigger(qtbot, window, "promote:champion"))
    timer = window.governance.watch.timer
    assert timer.isActive() and timer.interval() == 120_000  # the default watch interval
    close_when_idle(qtbot, window)
    assert not timer.isActive()

    offline = open_window(qtbot, mlflow_server.url, data, model=name, offline=True)
    qtbot.waitUntil(lambda: offline.controller.current_model == name
                    and offline.version_table.model.rowCount() == 2, timeout=30000)
    wait_for_tasks(qtbot, offline.ctx.runner)
    select(qtbot, offline, 1)
    acts = offline.governance.actions
    assert not acts.promote["champion"].isEnabled()
    assert acts.promote["champion"].toolTip() == (
        "Offline (started with --offline): moving an alias needs a connection to the server.")
    assert not offline.governance.detail_buttons["setAliasAction"].isEnabled()
    assert aliases_shown(offline) == {2: ("champion",), 1: ()}

    menu = QMenu(offline)
    offline.version_table.menuRequested.emit(menu, offline.version_table.selected_rows())
    texts = [a.text() for a in menu.actions() if a.text()]
    assert "Promote to @champion" in texts and "Set &alias…" in texts
    assert menu.toolTipsVisible()
    menu.deleteLater()

    offline.activateWindow()
    qtbot.waitUntil(offline.isActiveWindow)
    QTest.keyClick(offline, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    QTest.keyRelease(offline, Qt.Key.Key_Control)  # the shortcut kept the release: let go
    assert QGuiApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier
    assert offline.tabs.currentWidget() is offline.governance.history_view
    view = offline.governance.history_view
    assert view.events.rowCount() == 1 and view.events.records()[0].status == "ok"
    assert {(r.span.version, r.span.start_source) for r in view.spans.records()} == {
        (1, "unknown"), (2, "audit")}


def test_a_move_by_someone_else_stops_the_write_and_shows_the_server_state(
        qtbot: QtBot, mlflow_server: MlflowServer, tmp_path: Path) -> None:
    name = "gov conflict ü"
    plain = client_for(mlflow_server.url)
    make_model(plain, name, 3, n_params=1, n_metrics=1, aliases={"champion": 1})
    window = open_on(qtbot, mlflow_server.url, tmp_path / "data", name, 3)
    select(qtbot, window, 2)
    failures: list[str] = []
    window.governance.writer.failed.connect(failures.append)
    # the first promote alias has the key (a key press opening a modal dialog would leave
    # its modifiers held for the tests after this one, so the action is triggered)
    assert window.governance.actions.promote["champion"].shortcut().toString() == "Ctrl+Shift+P"
    dialog = trigger(qtbot, window, "promote:champion")
    plain.set_registered_model_alias(name, "champion", "3")  # while the user reads
    confirm(qtbot, window, dialog)
    qtbot.waitUntil(lambda: bool(failures))
    assert (f"@champion on {name} now points to v3 (you saw v1): someone else changed it "
            "since you looked." in failures[0])
    assert plain.get_registered_model(name).aliases == {"champion": "3"}
    qtbot.waitUntil(lambda: aliases_shown(window).get(3) == ("champion",))
    wait_for_tasks(qtbot, window.ctx.runner)


def test_governance_settings_apply_at_once_and_stay_per_profile(
        qtbot: QtBot, mlflow_server: MlflowServer, tmp_path: Path) -> None:
    name = "gov settings ü"
    make_model(client_for(mlflow_server.url), name, 2, n_params=1, n_metrics=1)
    data = tmp_path / "data"
    window = open_on(qtbot, mlflow_server.url, data, name, 2)
    select(qtbot, window, 2)
    gov = window.governance
    assert list(gov.actions.promote) == ["champion", "challenger"]
    assert gov.watch.timer.interval() == 120_000

    # from the Model menu
    model_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Model")
    action = next(a for a in model_menu.actions()
                  if a.objectName() == "governanceSettingsAction")
    action.trigger()
    dialog = gov.settings.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.aliases.setText("gold, latest")
    assert not dialog.ok.isEnabled() and "reserved" in dialog.problem.text()
    dialog.aliases.setText("gold, silver-2")
    dialog.interval.setValue(30)
    dialog.ok.click()

    assert list(gov.actions.promote) == ["gold", "silver-2"]
    assert gov.actions.promote["gold"].text() == "Promote to @gold"
    assert gov.actions.promote["gold"].isEnabled()
    assert gov.actions.promote["gold"].shortcut().toString() == "Ctrl+Shift+P"
    assert set(gov.detail_buttons) >= {"promoteAction_gold", "promoteAction_silver-2"}
    assert "promoteAction_champion" not in gov.detail_buttons
    menu = QMenu(window)
    window.version_table.menuRequested.emit(menu, window.version_table.selected_rows())
    texts = [a.text() for a in menu.actions()]
    assert "Promote to @gold" in texts and "Promote to @champion" not in texts
    menu.deleteLater()
    assert gov.watch.timer.isActive() and gov.watch.timer.interval() == 30_000

    # from the History tab: the watch off
    gov.show_history()
    gov.history_view.settings_button.click()
    dialog = gov.settings.dialog
    assert dialog is not None and dialog.aliases.text() == "gold, silver-2"
    assert dialog.interval.value() == 30
    dialog.watch.setChecked(False)
    dialog.ok.click()
    assert not gov.watch.timer.isActive()
    close_when_idle(qtbot, window)

    # the next launch with the same profile reads them back
    again = open_on(qtbot, mlflow_server.url, data, name, 2)
    assert list(again.governance.actions.promote) == ["gold", "silver-2"]
    assert not again.governance.watch.timer.isActive()


def test_a_move_by_another_client_gives_one_notice_through_the_chosen_notifier(
        qtbot: QtBot, mlflow_server: MlflowServer, tmp_path: Path) -> None:
    name = "gov notify ü"
    plain = client_for(mlflow_server.url)
    make_model(plain, name, 3, n_params=1, n_metrics=1, aliases={"champion": 1})
    window = open_on(qtbot, mlflow_server.url, tmp_path / "data", name, 3)
    watch = window.governance.watch
    assert isinstance(choose_notifier(window, tray_available=True), TrayNotifier)
    assert isinstance(choose_notifier(window, tray_available=False), NoticeBarNotifier)
    assert isinstance(watch.notifier, NoticeBarNotifier)  # offscreen: no tray

    sent: list[tuple[str, str]] = []

    class Recording(NoticeBarNotifier):
        def notify(self, title: str, text: str) -> None:
            sent.append((title, text))
            super().notify(title, text)

    watch.notifier = Recording(window)
    window.notice.dismiss()
    watch.poll_now()  # nothing moved yet
    wait_for_tasks(qtbot, window.ctx.runner)
    assert sent == [] and not window.notice.isVisible()

    plain.set_registered_model_alias(name, "champion", "2")
    for _ in range(2):  # the second look finds nothing new
        watch.poll_now()
        wait_for_tasks(qtbot, window.ctx.runner)
    assert sent == [("ModelHub: alias or stage moved",
                     f"Moved by someone else — {name}: @champion moved v1 → v2")]
    assert window.notice.isVisible()
    assert window.notice.label.text() == sent[0][1]


def test_the_registry_wide_log_chains_and_refuses_a_deleted_experiment(tmp_path: Path) -> None:
    from modelhub_desktop.core import registry_audit as ra
    from modelhub_desktop.core.domain import Profile
    from modelhub_desktop.core.registry import RegistryGateway

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    gw = RegistryGateway(Profile(name="local", tracking_uri=uri))
    assert ra.read_log(gw) == {}
    log = ra.open_log(gw)  # created on first use
    first = ra.record(gw, log, "alice", ra.DELETE, "old ü " + "x" * 200, reason="gone")
    second = ra.record(gw, ra.open_log(gw), "bob", ra.RENAME, "a", "b")
    tags = ra.read_log(gw)
    assert set(tags) == {first.key, second.key} and audit.verify(tags).ok
    assert (second.seq, second.prev) == (2, first.hash)
    exp = client_for(uri).get_experiment_by_name(ra.EXPERIMENT_NAME)
    assert exp.tags[ra.SCHEMA_TAG] == "1"
    client_for(uri).delete_experiment(exp.experiment_id)
    with pytest.raises(ra.AuditLogUnavailable, match="was deleted; restore it first"):
        ra.open_log(gw)
