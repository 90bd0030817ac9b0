"""The `deploymentsView`: the records listed (offline too), a deployment whose alias moved
marked and updated after a confirmation with the metric differences, stop/delete on the
mutation thread with errors in words, logs, the dashboard link, and the monitor's
polling that runs only while it is visible (pytest-qt, in-memory deploy service)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QSettings, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialogButtonBox

from modelhub_desktop.core.deploy.base import STOPPED, DeployFailed
from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.ui.deploy_settings import DeploySettings
from modelhub_desktop.ui.dialogs.deploy_logs_dialog import DeployLogsDialog
from modelhub_desktop.ui.dialogs.update_deployment_dialog import UpdateDeploymentDialog
from modelhub_desktop.ui.tasks import TaskRunner
from modelhub_desktop.ui.views.deployments_view import DeploymentsView
from tests.helpers import wait_for_tasks
from tests.ui.deploy_fake import FakeDeployService, record


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    r.shutdown()


VERSIONS = [ModelVersion("iris", n, run_id=f"r{n}", aliases=("champion",) if n == 3 else ())
            for n in (1, 2, 3)]
RUNS = {"r1": RunData("r1", metrics={"accuracy": 0.81, "rmse": 1.0}),
        "r2": RunData("r2", metrics={"accuracy": 0.82, "rmse": 0.5}),
        "r3": RunData("r3", metrics={"accuracy": 0.9, "rmse": 0.25, "f1": 0.7})}


@pytest.fixture
def service() -> FakeDeployService:
    s = FakeDeployService(aliases={"iris": {"champion": 3}})
    for r in (record("iris-prod", "iris", 2, alias="champion", port=5002),
              record("iris-v1", "iris", 1, port=5001)):
        s.store[r.name] = r
    return s


def make(qtbot, runner, service, tmp_path, online=True,  # noqa: ANN001
         model_tester=None) -> DeploymentsView:
    view = DeploymentsView(service, runner, lambda r: None)
    qtbot.addWidget(view)
    if model_tester is not None:
        model_tester(view.model)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    view.set_profile(lambda: {"iris": {"champion": 3}}, DeploySettings(settings, "Local"))
    view.set_online(online)
    view.resize(1200, 700)
    view.show()
    view.load()
    wait_for_tasks(qtbot, runner)
    return view


def cell(view: DeploymentsView, name: str, column: str) -> str:
    row = view.model.row_of(name)
    return str(view.model.index(row, view.model.column_of(column)).data())


def finish(qtbot, view: DeploymentsView, runner: TaskRunner) -> None:
    """Hide the view (its timers stop) and let the last probes land."""
    view.hide()
    wait_for_tasks(qtbot, runner)


def test_records_are_listed_and_the_moved_alias_is_marked(qtbot, runner, service,
                                                          tmp_path, model_tester) -> None:
    view = make(qtbot, runner, service, tmp_path, model_tester=model_tester)
    assert view.objectName() == "deploymentsView" and view.model.rowCount() == 2
    assert view.count_label.text() == "2 deployments, 2 running"
    assert cell(view, "iris-prod", "alias") == "@champion"
    assert cell(view, "iris-prod", "status") == "running — serves v2, @champion is v3"
    assert cell(view, "iris-prod", "endpoint") == "http://127.0.0.1:5002"
    assert cell(view, "iris-v1", "status") == "running"
    view.select("iris-prod")
    assert view.drift_bar.isVisible() and view.drift_button.text() == "Update to v3"
    view.select("iris-v1")
    assert not view.drift_bar.isVisible()
    finish(qtbot, view, runner)


def test_update_to_the_alias_asks_then_keeps_following(qtbot, runner, service,
                                                       tmp_path) -> None:
    view = make(qtbot, runner, service, tmp_path)
    view.select("iris-prod")
    asked = []
    view.updateRequested.connect(lambda record, target: asked.append((record.name, target)))
    view.drift_button.click()
    assert asked == [("iris-prod", 3)]  # the window confirms, with the metric differences
    view.update_to(service.store["iris-prod"], 3, follow=True)
    wait_for_tasks(qtbot, runner)
    assert ("update", "iris-prod models:/iris@champion") in service.calls
    assert cell(view, "iris-prod", "status") == "running"  # serves the alias's version now
    assert cell(view, "iris-prod", "version") == "v3"
    assert view.message_label.text() == "iris-prod now serves v3."
    assert not view.drift_bar.isVisible()
    finish(qtbot, view, runner)


def test_the_confirmation_shows_the_metric_differences(qtbot) -> None:
    served = record("iris-prod", "iris", 2, alias="champion")
    dialog = UpdateDeploymentDialog(served, VERSIONS, RUNS, target=3)
    qtbot.addWidget(dialog)
    assert dialog.objectName() == "updateDeploymentDialog"
    assert dialog.chosen_version() == 3 and not dialog.version_combo.isEnabled()
    rows = {dialog.table.item(r, 0).text(): [dialog.table.item(r, c).text() for c in (1, 2, 3)]
            for r in range(dialog.table.rowCount())}
    assert rows == {"accuracy": ["0.82", "0.9", "+0.08"], "f1": ["", "0.7", "only in one"],
                    "rmse": ["0.5", "0.25", "-0.25"]}
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.text() == "Update to v3"
    pick = UpdateDeploymentDialog(record("iris-v1", "iris", 1), VERSIONS, RUNS)
    qtbot.addWidget(pick)
    assert pick.version_combo.isEnabled() and pick.version_combo.count() == 2  # v3, v2
    pick.version_combo.setCurrentIndex(pick.version_combo.findData(2))
    assert pick.chosen_version() == 2
    assert pick.table.item(0, 3).text() == "+0.01"  # accuracy 0.81 -> 0.82


def test_update_to_a_chosen_version_pins_it(qtbot, runner, service, tmp_path) -> None:
    view = make(qtbot, runner, service, tmp_path)
    view.select("iris-v1")
    asked = []
    view.updateRequested.connect(lambda record, target: asked.append((record.name, target)))
    view.update_button.click()
    assert asked == [("iris-v1", None)]
    view.update_to(service.store["iris-v1"], 2, follow=False)
    wait_for_tasks(qtbot, runner)
    assert ("update", "iris-v1 models:/iris/2") in service.calls
    finish(qtbot, view, runner)


def test_stop_delete_and_errors_in_words(qtbot, runner, service, tmp_path) -> None:
    view = make(qtbot, runner, service, tmp_path)
    view.select("iris-v1")
    view.stop_button.click()
    wait_for_tasks(qtbot, runner)
    assert service.store["iris-v1"].status == STOPPED
    assert cell(view, "iris-v1", "status") == STOPPED and not view.stop_button.isVisible()
    assert view.start_button.isVisible() and view.start_button.isEnabled()
    view.start_button.click()
    wait_for_tasks(qtbot, runner)
    assert cell(view, "iris-v1", "status") == "running" and view.stop_button.isEnabled()
    assert view.message_label.text() == "Started iris-v1."
    view.stop_button.click()
    wait_for_tasks(qtbot, runner)
    service.fail_with = DeployFailed("The record could not be removed: disk is read-only.")
    view.delete_selected(confirm=False)
    wait_for_tasks(qtbot, runner)
    assert view.message_label.text() == ("Deployment failed: The record could not be "
                                         "removed: disk is read-only.")
    assert "iris-v1" in service.store and view.model.row_of("iris-v1") >= 0
    view.delete_selected(confirm=False)
    wait_for_tasks(qtbot, runner)
    assert view.model.row_of("iris-v1") == -1 and view.message_label.text() == "Deleted iris-v1."
    finish(qtbot, view, runner)


def test_offline_lists_records_but_update_says_why_not(qtbot, runner, service,
                                                       tmp_path) -> None:
    view = make(qtbot, runner, service, tmp_path, online=False)
    assert view.model.rowCount() == 2
    view.select("iris-prod")
    assert not view.update_button.isEnabled() and not view.drift_button.isEnabled()
    assert view.update_button.toolTip().startswith("Offline:")
    assert view.drift_button.toolTip().startswith("Offline:")
    assert view.logs_button.isEnabled()
    finish(qtbot, view, runner)


def test_logs_dialog_reads_the_log(qtbot, runner, service) -> None:
    dialog = DeployLogsDialog(runner, service.store["iris-v1"], service.logs)
    qtbot.addWidget(dialog)
    assert dialog.objectName() == "deployLogsDialog"
    wait_for_tasks(qtbot, runner)
    assert "Uvicorn running" in dialog.text.toPlainText()
    service.logs_text = "second read"
    dialog.refresh_button.click()
    wait_for_tasks(qtbot, runner)
    assert dialog.text.toPlainText() == "second read"


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def test_dashboard_link_template_per_profile(qtbot, runner, service, tmp_path) -> None:
    view = make(qtbot, runner, service, tmp_path)
    view.select("iris-prod")
    assert not view.dashboard.open_button.isEnabled()
    assert "{nope}" in view.dashboard.set_template("https://grafana/d/x?m={nope}")
    assert not view.dashboard.open_button.isEnabled()
    assert view.dashboard.set_template("ftp://grafana/d") == (
        "The link must start with http:// or https://.")
    assert view.dashboard.set_template(
        "https://grafana/d/x?var-model={model}&var-version={version}"
        "&var-deployment={deployment}") == ""
    assert view.dashboard.open_button.isEnabled()
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("https", catcher, "open")
    try:
        view.dashboard.open_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert catcher.urls == ["https://grafana/d/x?var-model=iris&var-version=2"
                            "&var-deployment=iris-prod"]
    again = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert DeploySettings(again, "Local").link_template.startswith("https://grafana/d/x")
    assert DeploySettings(again, "Other").link_template == ""
    finish(qtbot, view, runner)


def test_monitor_polls_only_while_visible(qtbot, runner, service, tmp_path) -> None:
    view = make(qtbot, runner, service, tmp_path)
    view.select("iris-v1")
    view.tabs.setCurrentWidget(view.monitor)
    monitor = view.monitor
    qtbot.waitUntil(lambda: len(monitor.samples) >= 1)
    assert monitor.timer.isActive() and view.status_timer.isActive()
    assert "iris-v1: answering" in monitor.summary.text()
    assert monitor.curves["p95"].getData()[1][-1] == 9.0
    view.tabs.setCurrentWidget(view.try_it)  # the monitor tab hidden: no more polling
    assert not monitor.timer.isActive()
    view.hide()
    assert not view.status_timer.isActive()
    wait_for_tasks(qtbot, runner)
