"""The `deployDialog`: validation with the reason shown inline, the serving path from the
service, create and update, progress with Cancel, the service's errors in words, and
the per-profile target settings (pytest-qt, offscreen, against an in-memory service)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from modelhub_desktop.core.deploy.base import DeployFailed
from modelhub_desktop.core.domain import ModelVersion
from modelhub_desktop.ui.deploy_settings import DeploySettings
from modelhub_desktop.ui.dialogs.deploy_dialog import DeployDialog
from modelhub_desktop.ui.tasks import TaskRunner
from tests.helpers import wait_for_tasks
from tests.ui.deploy_fake import FakeDeployService, record

V3 = ModelVersion("iris", 3, aliases=("champion",))


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    r.shutdown()


@pytest.fixture
def settings(tmp_path: Path) -> DeploySettings:
    return DeploySettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                          "Local")


@pytest.fixture
def service() -> FakeDeployService:
    return FakeDeployService(aliases={"iris": {"champion": 3, "challenger": 4}})


def make(qtbot, runner, settings, service, existing=(), online=True,  # noqa: ANN001, ANN201
         aliases=None) -> DeployDialog:
    dialog = DeployDialog(service, runner, settings, V3,
                          aliases if aliases is not None else service.aliases["iris"],
                          list(existing), online)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_tasks(qtbot, runner)
    return dialog


def test_defaults_follow_the_versions_alias_and_say_the_serving_path(
        qtbot, runner, settings, service) -> None:
    d = make(qtbot, runner, settings, service)
    assert d.objectName() == "deployDialog"
    assert d.follow_radio.isChecked() and d.uri_label.text() == "models:/iris@champion"
    assert "Local app server" in d.path_label.text() and "scikit-learn" in d.path_label.text()
    assert ("serving_path", "models:/iris@champion") in service.calls
    d.pin_radio.setChecked(True)
    assert d.uri_label.text() == "models:/iris/3"
    wait_for_tasks(qtbot, runner)
    assert ("serving_path", "models:/iris/3") in service.calls
    assert d.name_edit.text() == "iris-v3" and d.submit_button.isEnabled()
    assert d.problem_label.text() == ""
    assert not d.update_radio.isEnabled()  # nothing to update yet


def test_a_model_served_through_a_python_environment_is_preselected(
        qtbot, runner, settings, service) -> None:
    service.path = ("python-env", "it loads with mlflow.xgboost, which needs xgboost")
    d = make(qtbot, runner, settings, service)
    assert d.backend() == "python-env"
    assert "Python environment: it loads with mlflow.xgboost" in d.path_label.text()
    assert d.backend_form.python_edit.isVisible()
    assert "Choose the Python" in d.problem_label.text() and not d.submit_button.isEnabled()


def test_each_bad_input_is_named_before_submit(qtbot, runner, settings, service,
                                                tmp_path: Path) -> None:
    d = make(qtbot, runner, settings, service, existing=[record("taken", "iris", 2)])

    def reason() -> str:
        assert not d.submit_button.isEnabled()
        return d.problem_label.text()

    d.create_radio.setChecked(True)
    d.name_edit.setText("")
    assert reason() == "Give the deployment a name."
    d.name_edit.setText("bad name!")
    assert "letters, digits" in reason()
    d.name_edit.setText("taken")
    assert "A deployment named taken exists" in reason()
    d.name_edit.setText("fresh")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        d.backend_form.port_spin.setValue(busy.getsockname()[1])
        assert f"Port {busy.getsockname()[1]} on 127.0.0.1 is in use" in reason()
    d.backend_form.host_edit.setText(" ")
    assert "Give the host" in reason()
    d.backend_form.host_edit.setText("127.0.0.1")
    assert d.submit_button.isEnabled()
    d.backend_form.backend_combo.setCurrentIndex(d.backend_form.backend_combo.findData("python-env"))
    d.backend_form.python_edit.setText(str(tmp_path / "no-python"))
    assert "There is no Python at" in reason()
    d.backend_form.backend_combo.setCurrentIndex(d.backend_form.backend_combo.findData("target"))
    assert "target's URI" in reason()
    d.backend_form.target_edit.setText("sagemaker:/eu-west-1")
    d.backend_form.config_edit.setPlainText('{"instance_type": ')
    assert "Config is not valid JSON" in reason() and "line 1" in reason()
    d.backend_form.config_edit.setPlainText("[1, 2]")
    assert "must be a JSON object" in reason()
    d.backend_form.config_edit.setPlainText('{"instance_type": "ml.m5.large"}')
    assert d.submit_button.isEnabled() and d.problem_label.text() == ""


def test_offline_the_dialog_says_why_it_cannot_deploy(qtbot, runner, settings, service) -> None:
    d = make(qtbot, runner, settings, service, online=False)
    assert not d.submit_button.isEnabled()
    assert d.problem_label.text().startswith("Offline: deploying needs the MLflow server")
    assert ("serving_path", "models:/iris@champion") not in service.calls


def test_create_runs_on_the_mutation_thread_and_reports_the_record(
        qtbot, runner, settings, service) -> None:
    d = make(qtbot, runner, settings, service)
    d.pin_radio.setChecked(True)
    d.backend_form.keep_check.setChecked(True)
    port = d.backend_form.port_spin.value()
    got = []
    d.deployed.connect(got.append)
    d.submit_button.click()
    qtbot.waitUntil(lambda: bool(got))
    assert d.result() == DeployDialog.DialogCode.Accepted
    made = got[0]
    assert (made.name, made.model_uri, made.version) == ("iris-v3", "models:/iris/3", 3)
    assert dict(made.settings) == {"host": "127.0.0.1", "port": str(port), "keep_running": "1"}
    assert service.store["iris-v3"] == made


def test_target_settings_are_remembered_per_profile(qtbot, runner, settings, service) -> None:
    d = make(qtbot, runner, settings, service)
    d.backend_form.backend_combo.setCurrentIndex(d.backend_form.backend_combo.findData("target"))
    d.backend_form.target_edit.setText("faketarget:/eu")
    d.backend_form.config_edit.setPlainText('{"size": 2}')
    d.submit_button.click()
    qtbot.waitUntil(lambda: "iris-v3" in service.store)
    assert dict(service.store["iris-v3"].settings) == {"target": "faketarget:/eu",
                                                       "config": '{"size": 2}'}
    assert (settings.target_uri, settings.target_config) == ("faketarget:/eu", '{"size": 2}')
    again = make(qtbot, runner, settings, service)
    assert again.backend_form.target_edit.text() == "faketarget:/eu"
    assert again.backend_form.config_edit.toPlainText() == '{"size": 2}'


def test_update_an_existing_deployment_to_this_version(qtbot, runner, settings, service) -> None:
    old = record("iris-prod", "iris", 2)
    service.store[old.name] = old
    d = make(qtbot, runner, settings, service, existing=[old])
    d.update_radio.setChecked(True)
    assert d.existing_combo.isVisible() and not d.create_box.isVisible()
    assert d.submit_button.text() == "Update"
    d.pin_radio.setChecked(True)
    d.submit_button.click()
    qtbot.waitUntil(lambda: service.store["iris-prod"].version == 3)
    assert ("update", "iris-prod models:/iris/3") in service.calls


def test_progress_shows_and_cancel_stops_the_deploy(qtbot, runner, settings, service) -> None:
    service.hold = threading.Event()
    d = make(qtbot, runner, settings, service)
    d.submit_button.click()
    qtbot.waitUntil(lambda: "Downloading the model" in d.progress.format())
    assert d.progress.isVisible() and not d.submit_button.isEnabled()
    d.reject()  # Esc / Cancel while deploying: cancels, the dialog stays
    wait_for_tasks(qtbot, runner)
    assert d.isVisible() and not d.progress.isVisible()
    assert d.problem_label.text() == "Cancelled; nothing was left running."
    assert service.store == {} and d.submit_button.isEnabled()
    d.reject()
    assert not d.isVisible()


def test_the_services_error_is_shown_in_words(qtbot, runner, settings, service) -> None:
    service.fail_with = DeployFailed("The serving process exited with code 1: "
                                     "ModuleNotFoundError: No module named 'xgboost'.")
    d = make(qtbot, runner, settings, service)
    d.submit_button.click()
    qtbot.waitUntil(lambda: "No module named 'xgboost'" in d.problem_label.text())
    assert d.problem_label.text().startswith("Deployment failed: The serving process exited")
    assert d.isVisible() and d.submit_button.isEnabled()
