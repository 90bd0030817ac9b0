"""The serve-and-predict smoke check for real: scikit-learn versions logged with a serving
input example on a real `mlflow server`, served by the app's own serving command through
the deploy service, asked for predictions, and taken down again (port free, process gone,
no deployment record left) whether the check passed or failed."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.approval import create_request
from modelhub_desktop.core.check_inputs import gather
from modelhub_desktop.core.checks import CheckResult, parse_rules, run_checks
from modelhub_desktop.core.deploy import process
from modelhub_desktop.core.deploy.base import DeploymentRecord, Prediction
from modelhub_desktop.core.deploy.fetch import LocalModel
from modelhub_desktop.core.deploy.local import LocalBackend
from modelhub_desktop.core.deploy.service import DeployService
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.core.smoke_check import service_smoke
from tests.builders import client_for
from tests.deploy_models import fluent_uri, iris_models, register_sklearn
from tests.helpers import close_when_idle, open_window
from tests.servers import MlflowServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MODEL = "smoke-check-iris"
CHAMPION = rq.Target("alias", "champion")
RULES = parse_rules(["smoke"])


def _register_files(url: str, files: Mapping[str, str]) -> int:
    """A version of MODEL whose model folder holds only `files` (relative path -> text)."""
    with fluent_uri(url) as mlflow, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "model"
        for rel, text in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8")
        exp = mlflow.set_experiment(f"deploy-{MODEL}")
        with mlflow.start_run(experiment_id=exp.experiment_id) as run:
            mlflow.log_artifacts(str(folder), "model")
        mv = client_for(url).create_model_version(MODEL, f"{run.info.artifact_uri}/model",
                                                  run_id=run.info.run_id)
    return int(mv.version)


@pytest.fixture(scope="module")
def versions(mlflow_server: MlflowServer) -> dict[str, int]:
    """good: a logistic regression; no-files: only the example; no-pickle: the MLmodel and
    example of a real model without its pickled estimator (the server fails to load it)."""
    import mlflow.artifacts

    url = mlflow_server.url
    client_for(url).create_registered_model(MODEL)
    good = register_sklearn(url, MODEL, iris_models()[:1])[0]
    with fluent_uri(url), tempfile.TemporaryDirectory() as tmp:
        local = Path(mlflow.artifacts.download_artifacts(f"models:/{MODEL}/{good}",
                                                         dst_path=tmp))
        example = (local / "serving_input_example.json").read_text(encoding="utf-8")
        mlmodel = (local / "MLmodel").read_text(encoding="utf-8")
        shutil.rmtree(local)
    no_files = _register_files(url, {"serving_input_example.json": example})
    no_pickle = _register_files(url, {"serving_input_example.json": example,
                                      "MLmodel": mlmodel})
    return {"good": good, "no-files": no_files, "no-pickle": no_pickle}


@dataclass
class Recording:
    """The real local backend, remembering the deployments it created (to check them after)."""

    inner: LocalBackend
    created: list[DeploymentRecord] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)  # every port a create was asked for

    @property
    def kind(self) -> str:
        return self.inner.kind

    def create(self, name: str, model_uri: str, settings: Mapping[str, str],
               ctx: TaskContext) -> DeploymentRecord:
        self.ports.append(int(settings["port"]))
        record = self.inner.create(name, model_uri, settings, ctx)
        self.created.append(record)
        return record

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


@dataclass
class Server:
    """The deploy service as the smoke check sees it, over the recording backend."""

    service: DeployService
    local: Recording

    @property
    def profile(self) -> Profile | None:
        return self.service.profile

    def fetch_model(self, model_uri: str, ctx: TaskContext | None = None) -> LocalModel:
        return self.service.fetch_model(model_uri, ctx)


@pytest.fixture
def server(mlflow_server: MlflowServer, tmp_path: Path) -> Server:
    paths = AppPaths.resolve(tmp_path / "app").ensure()
    profile = Profile(name="smoke", tracking_uri=mlflow_server.url, source="command-line")
    service = DeployService(paths)
    service.set_session(profile, RegistryGateway(profile))
    return Server(service, Recording(service.local))


def _check(server: Server, version: int) -> CheckResult:
    gw = server.service.gateway
    inputs = gather(gw, MODEL, version, CHAMPION, RULES)
    return run_checks(RULES, inputs, service_smoke(server, TaskContext()))[0]


def _serving_pids(port: int) -> list[int]:
    """Processes whose command line is a serving command on `port`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in args and str(port).encode() in args:
            found.append(int(cmdline.parent.name))
    return found


def _all_down(server: Server) -> None:
    assert server.local.ports
    for port in server.local.ports:
        assert process.port_free("127.0.0.1", port), f"port {port} still in use"
        assert _serving_pids(port) == []
    for record in server.local.created:
        assert not process.alive(record.pid)
    logs = server.local.inner.paths.log_dir / "deployments"
    assert not list(logs.glob("smoke-*.log"))
    assert server.service.records() == []  # never stored as a deployment


def test_a_good_version_is_served_answers_and_is_taken_down(
        server: Server, versions: dict[str, int]) -> None:
    result = _check(server, versions["good"])
    assert (result.status, result.title) == ("pass", "Serves and predicts"), result.message
    assert result.message.startswith("Served and answered 1 prediction in ")
    assert len(server.local.created) == 1
    assert server.local.created[0].model_uri == f"models:/{MODEL}/{versions['good']}"
    _all_down(server)
    model = RegistryGateway(server.service.profile or Profile("x", "")).get_model(MODEL)
    assert not any(k.startswith("modelhub.audit.") for k in model.tags)


def test_a_version_without_model_files_fails_with_the_reason(
        server: Server, versions: dict[str, int]) -> None:
    result = _check(server, versions["no-files"])
    assert result.status == "fail"
    assert result.message.startswith(
        f"models:/{MODEL}/{versions['no-files']} cannot be served: there is no MLmodel file at ")
    assert server.local.created == [] and server.local.ports == []


def test_a_version_that_cannot_load_fails_and_leaves_nothing_running(
        server: Server, versions: dict[str, int]) -> None:
    result = _check(server, versions["no-pickle"])
    assert result.status == "fail"
    assert result.message.startswith(f"Serving v{versions['no-pickle']} failed: The serving "
                                     "process exited with exit code"), result.message
    assert server.local.created == []  # it never answered /ping
    _all_down(server)


def test_a_wrong_answer_fails_and_the_port_is_free_after(
        server: Server, versions: dict[str, int]) -> None:
    """A served model that answers something else than predictions for every row."""
    real_predict = server.local.inner.predict

    def truncated(record: DeploymentRecord, payload: object) -> Prediction:
        answer = real_predict(record, payload)
        assert isinstance(answer.body, dict) and answer.status == 200
        return Prediction(200, {"predictions": []}, answer.latency_ms)

    server.local.predict = truncated  # type: ignore[attr-defined]
    result = _check(server, versions["good"])
    assert (result.status, result.message) == (
        "fail", "The served model answered 0 predictions for 1 row.")
    _all_down(server)


def test_the_window_runs_the_smoke_check_through_its_deploy_service(
        qtbot, mlflow_server: MlflowServer, versions: dict[str, int], tmp_path: Path) -> None:
    from modelhub_desktop.core.approval_policy import ApprovalPolicy

    window = open_window(qtbot, mlflow_server.url, tmp_path / "d", model=MODEL)
    qtbot.waitUntil(lambda: window.controller.current_model == MODEL, timeout=60000)
    feature = window.approval
    assert feature.smoke_server() is window.deploy.service
    feature.policies.set(window.profile.name,
                         ApprovalPolicy(rules=("smoke", "signature", "run-finished")))
    got: list[list[CheckResult]] = []
    feature.run_checks(MODEL, versions["good"], CHAMPION, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=180000)
    smoke, signature, finished = got[0]
    assert smoke.status == "pass", smoke.message
    assert smoke.message.startswith("Served and answered 1 prediction in ")
    assert (signature.status, finished.status) == ("pass", "pass")
    assert window.deploy.service.records() == []

    # the checklist as a reviewer sees it
    req = create_request(window.controller.session.gateway, MODEL, versions["good"], CHAMPION,
                         who="ann", comment="first iris model, smoke-tested", checks=got[0])
    feature.refresh()
    inbox = feature.inbox
    qtbot.waitUntil(lambda: inbox.select(req.id), timeout=30000)
    window.tabs.setCurrentWidget(inbox)
    text = inbox.detail.body.toPlainText()
    assert "✔ pass" in text and "Serves and predicts" in text and "Served and answered" in text
    close_when_idle(qtbot, window)
