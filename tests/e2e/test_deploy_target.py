"""Deployments on an MLflow deployments target: the tests' own plugin (tests/deploy_plugin,
registered under the `mlflow.deployments` entry point) through the targets backend, and a
target whose plugin is not installed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from modelhub_desktop.core.deploy.base import RUNNING, PluginMissing
from modelhub_desktop.core.deploy.service import DeployService
from modelhub_desktop.core.deploy.targets import TargetError, installed_targets
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import InvalidInput
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import client_for
from tests.deploy_models import ROWS, iris_models, payload, register_sklearn
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

MODEL = "target-iris"
TARGET = "target:modelhub-test"


@pytest.fixture
def service(mlflow_server: MlflowServer, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[DeployService]:
    monkeypatch.setenv("MODELHUB_TEST_TARGET_DIR", str(tmp_path / "target"))
    profile = Profile(name="target-test", tracking_uri=mlflow_server.url, source="command-line")
    svc = DeployService(AppPaths.resolve(tmp_path / "app").ensure())
    svc.set_session(profile, RegistryGateway(profile))
    yield svc


@pytest.fixture(scope="module")
def versions(mlflow_server: MlflowServer) -> list[list[int]]:
    import pandas as pd

    models = iris_models()
    client_for(mlflow_server.url).create_registered_model(MODEL)
    register_sklearn(mlflow_server.url, MODEL, models)
    frame = pd.DataFrame(ROWS, columns=payload()["dataframe_split"]["columns"])
    return [[int(v) for v in m.predict(frame)] for m in models]


def test_plugin_target_create_list_predict_update_delete(
        service: DeployService, versions: list[list[int]]) -> None:
    assert "modelhub-test" in installed_targets()
    record = service.create(TARGET, "iris-remote", f"models:/{MODEL}/1",
                            {"config": '{"region": "test-1"}'}, TaskContext())
    assert (record.backend, record.status, record.version) == (TARGET, RUNNING, 1)
    target = service.backend_for(TARGET)
    listed = target.list()
    assert [(r.name, r.model_uri) for r in listed] == [("iris-remote", f"models:/{MODEL}/1")]
    assert [r.name for r in service.records()] == ["iris-remote"]

    answer = service.predict(record, payload())
    assert answer.status == 200 and answer.error == ""
    assert answer.body == {"predictions": versions[0]}

    updated = service.update(record, f"models:/{MODEL}/2", TaskContext())
    assert updated.version == 2
    assert target.list()[0].model_uri == f"models:/{MODEL}/2"
    assert service.predict(updated, payload()).body == {"predictions": versions[1]}
    assert service.refresh()[0].status == RUNNING

    with pytest.raises(InvalidInput, match="not valid JSON"):
        service.predict(updated, "{dataframe_split")
    service.delete(updated)
    assert target.list() == [] and service.records() == []


def test_target_errors_are_shown_as_the_target_says(
        service: DeployService, versions: list[list[int]]) -> None:
    with pytest.raises(TargetError, match="modelhub-test could not create the deployment: "
                                          "quota exceeded in test-1"):
        service.create(TARGET, "iris-fail", f"models:/{MODEL}/1",
                       {"config": '{"fail": "quota exceeded in test-1"}'}, TaskContext())
    with pytest.raises(InvalidInput, match="target config is not valid JSON"):
        service.create(TARGET, "iris-bad", f"models:/{MODEL}/1", {"config": "{region"},
                       TaskContext())
    assert service.records() == []


def test_missing_plugin_is_named_with_how_to_install(
        service: DeployService, versions: list[list[int]]) -> None:
    with pytest.raises(PluginMissing) as caught:
        service.create("target:no-such-cloud:/eu-west", "iris-x", f"models:/{MODEL}/1", {},
                       TaskContext())
    text = str(caught.value)
    assert "No deployment plugin for target 'no-such-cloud' is installed" in text
    assert "pip install mlflow-no-such-cloud" in text and "modelhub-test" in text
    assert service.records() == []
