"""Deploying from the window, for real: a scikit-learn version registered on a real
`mlflow server` is deployed through the Deploy action and dialog, served by the app's own
serving command, tried in the Try it panel with its logged input example (the answer
equals the model's own `predict`), shown in the version table and the detail pane, and
stopped when the window closes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelhub_desktop.core.deploy import process
from modelhub_desktop.core.deploy.base import RUNNING, STOPPED
from modelhub_desktop.core.deploy.examples import serving_example
from modelhub_desktop.core.deploy.records import RecordStore
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import client_for
from tests.deploy_models import (
    IRIS_COLUMNS,
    ROWS,
    iris_models,
    register_folder,
    register_sklearn,
)
from tests.helpers import close_when_idle, open_window, wait_for_tasks
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

MODEL = "deploy-ui-iris"


@pytest.fixture(scope="module")
def expected(mlflow_server: MlflowServer) -> list[int]:
    """Registers two versions; the second's own predictions on the logged example row."""
    import pandas as pd

    models = iris_models()
    client_for(mlflow_server.url).create_registered_model(MODEL)
    register_sklearn(mlflow_server.url, MODEL, models)
    client_for(mlflow_server.url).set_registered_model_alias(MODEL, "champion", "1")
    frame = pd.DataFrame(ROWS[:1], columns=IRIS_COLUMNS)
    return [int(v) for v in models[1].predict(frame)]


@pytest.mark.slow
def test_deploy_from_the_window_and_try_it(qtbot, mlflow_server: MlflowServer,
                                           expected: list[int], tmp_path: Path) -> None:
    data = tmp_path / "d"
    window = open_window(qtbot, mlflow_server.url, data, model=MODEL)
    feature = window.deploy
    with qtbot.waitSignal(window.dataShown, timeout=60000):
        pass
    qtbot.waitUntil(lambda: window.controller.current_model == MODEL
                    and window.version_table.model.rowCount() >= 2, timeout=30000)
    window.version_table.table.clearSelection()
    assert window.version_table.select_version(2)
    assert feature.action.isEnabled() and feature.action.shortcut().toString() == "Ctrl+D"
    dialog = feature.deploy_current()
    assert dialog is not None and dialog.objectName() == "deployDialog"
    assert dialog.pin_radio.isChecked() and dialog.uri_label.text() == f"models:/{MODEL}/2"
    qtbot.waitUntil(lambda: "Local app server" in dialog.path_label.text(), timeout=120000)
    assert "scikit-learn" in dialog.path_label.text()
    assert dialog.submit_button.isEnabled(), dialog.problem_label.text()
    port = dialog.backend_form.port_spin.value()
    dialog.submit_button.click()
    qtbot.waitUntil(lambda: feature.dialog is None, timeout=180000)

    view = feature.view
    assert window.tabs.currentWidget() is view
    qtbot.waitUntil(lambda: view.model.row_of(f"{MODEL}-v2") >= 0, timeout=20000)
    row = view.selected()
    assert row is not None and row.record.status == RUNNING
    assert row.record.endpoint == f"http://127.0.0.1:{port}"
    assert not process.port_free("127.0.0.1", port)

    panel = view.try_it
    qtbot.waitUntil(lambda: panel.note.text().startswith("The version's serving input"),
                    timeout=60000)
    sent = json.loads(panel.editor.toPlainText())
    assert sent["dataframe_split"]["data"] == ROWS[:1]
    panel.send_button.click()
    qtbot.waitUntil(lambda: panel.left.answer is not None, timeout=60000)
    assert panel.left.answer.status == 200, panel.left.status.text()
    assert json.loads(panel.left.response.toPlainText())["predictions"] == expected
    assert panel.left.status.text().startswith("200 · ")

    table = window.version_table
    by_version = {r.key: r.deployed_by for r in table.model.records()}
    assert (by_version[1], by_version[2]) == ("", f"{MODEL}-v2")  # "Deployed by" values
    window.tabs.setCurrentIndex(0)
    assert table.select_version(2)
    qtbot.waitUntil(lambda: window.detail.deployments_label.isVisible(), timeout=10000)
    assert window.detail.deployments_label.text().startswith(f"Deployed as {MODEL}-v2 (running")

    window.tabs.setCurrentWidget(view)
    wait_for_tasks(qtbot, window.ctx.runner)
    close_when_idle(qtbot, window)  # not "keep running": the server stops with the window
    assert process.wait_port_released("127.0.0.1", port)
    stored = RecordStore(AppPaths.resolve(data).data_dir / "deployments.json").all()
    assert [(r.name, r.status) for r in stored] == [(f"{MODEL}-v2", STOPPED)]


def test_serving_example_is_the_logged_file_or_none(mlflow_server: MlflowServer,
                                                     expected: list[int]) -> None:
    gateway = RegistryGateway(Profile("examples", mlflow_server.url))
    text = serving_example(gateway, gateway.get_version(MODEL, 1))
    assert text is not None
    assert json.loads(text)["dataframe_split"]["data"] == ROWS[:1]
    bare = register_folder(mlflow_server.url, MODEL, "flavors:\n  python_function: {}\n")
    assert serving_example(gateway, gateway.get_version(MODEL, bare)) is None
