"""Local deployments for real: scikit-learn versions registered on a real `mlflow server`,
served by the app's own serving command in a child process, asked for predictions over
HTTP, switched, stopped, killed, reconciled after a restart and stopped on quit."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from modelhub_desktop.core import audit
from modelhub_desktop.core.deploy import process
from modelhub_desktop.core.deploy.base import FAILED, RUNNING, STOPPED
from modelhub_desktop.core.deploy.service import DeployService
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import InvalidInput, ModelHubError
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import client_for
from tests.deploy_models import ROWS, iris_models, payload, register_folder, register_sklearn
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

MODEL = "deploy-iris"


@dataclass
class Env:
    paths: AppPaths
    profile: Profile
    service: DeployService
    expected: list[list[int]]  # per version: the model's own predictions on ROWS

    def new_service(self) -> DeployService:
        """A second service over the same records, as after an app restart."""
        service = DeployService(self.paths)
        service.set_session(self.profile, RegistryGateway(self.profile))
        return service


@pytest.fixture(scope="module")
def env(mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    import pandas as pd

    models = iris_models()
    client_for(mlflow_server.url).create_registered_model(MODEL)
    register_sklearn(mlflow_server.url, MODEL, models)
    client_for(mlflow_server.url).set_registered_model_alias(MODEL, "champion", "1")
    frame = pd.DataFrame(ROWS, columns=payload()["dataframe_split"]["columns"])
    expected = [[int(v) for v in m.predict(frame)] for m in models]
    assert expected[0] != expected[1]
    paths = AppPaths.resolve(tmp_path_factory.mktemp("deploy-app")).ensure()
    profile = Profile(name="deploy-test", tracking_uri=mlflow_server.url,
                      source="command-line", username="alice")
    service = DeployService(paths)
    service.set_session(profile, RegistryGateway(profile))
    yield Env(paths, profile, service, expected)
    for record in service.records():  # nothing may outlive the tests
        if record.pid:
            process.stop(record.pid)


def predictions(env: Env, name: str) -> list[int]:
    answer = env.service.predict(env.service.record(name), payload())
    assert answer.status == 200, answer.error
    assert isinstance(answer.body, dict)
    return [int(v) for v in answer.body["predictions"]]


@pytest.mark.slow
def test_deploy_follow_alias_update_and_stop(env: Env, mlflow_server: MlflowServer) -> None:
    service = env.service
    record = service.create("local", "iris-champion", f"models:/{MODEL}@champion", {},
                            TaskContext())
    assert (record.status, record.version, record.alias) == (RUNNING, 1, "champion")
    assert record.model_uri == f"models:/{MODEL}@champion"
    assert record.created_by == "alice" and record.endpoint.startswith("http://127.0.0.1:")
    assert requests.get(record.endpoint + "/ping", timeout=5).status_code == 200
    assert predictions(env, "iris-champion") == env.expected[0]
    stats = service.stats(record)
    assert stats is not None and stats.requests == 1 and stats.errors == 0
    assert stats.p50_ms is not None

    # a malformed request is refused before it is sent, saying where it is wrong
    with pytest.raises(InvalidInput, match=r"not valid JSON: .* at line 1, column \d+"):
        service.predict(record, '{"dataframe_split": {"columns": [1,] }')
    with pytest.raises(InvalidInput, match="exactly one of"):
        service.predict(record, {"params": {"k": 1}})
    assert service.stats(record).requests == 1  # type: ignore[union-attr]

    # the deployment is in the model's audit trail, by the profile's user
    tags = client_for(mlflow_server.url).get_registered_model(MODEL).tags
    events, problems = audit.read_tags(tags)
    created = [e for e in events if e.action == "deploy.create"]
    assert not problems and created[-1].target == "deployment:iris-champion"
    assert (created[-1].who, created[-1].to) == ("alice", "1")
    assert record.audit_note == ""

    # a restarted app finds it running, by pid, port and /ping
    again = env.new_service().refresh()
    assert [(r.name, r.status, r.pid) for r in again] == [("iris-champion", RUNNING, record.pid)]

    # the alias moves: the deployment serves an old version until it is updated
    client_for(mlflow_server.url).set_registered_model_alias(MODEL, "champion", "2")
    state = service.alias_state(record)
    assert state is not None and state.stale and "is now v2" in state.message
    updated = service.update(record, record.model_uri, TaskContext())
    assert (updated.version, updated.status, updated.endpoint) == (2, RUNNING, record.endpoint)
    assert updated.pid != record.pid and not process.alive(record.pid)
    assert predictions(env, "iris-champion") == env.expected[1]
    assert not service.alias_state(updated).stale  # type: ignore[union-attr]
    assert f"serving models:/{MODEL}/2 from" in service.logs(updated)

    stopped = service.stop(updated)
    port = int(updated.settings["port"])
    assert stopped.status == STOPPED and stopped.pid == 0
    assert process.port_free("127.0.0.1", port) and not process.alive(updated.pid)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    assert service.record("iris-champion").status == STOPPED
    service.delete(stopped)
    assert service.records() == []


@pytest.mark.slow
def test_crash_shutdown_and_keep_running(env: Env) -> None:
    service = env.service
    kept = service.create("local", "iris-kept", f"models:/{MODEL}/1", {"keep_running": "1"},
                          TaskContext())
    plain = service.create("local", "iris-plain", f"models:/{MODEL}/2", {}, TaskContext())
    assert kept.keep_running and not plain.keep_running
    assert predictions(env, "iris-plain") == env.expected[1]

    # quitting the app stops only what does not keep running
    service.shutdown()
    assert service.record("iris-plain").status == STOPPED
    assert process.port_free("127.0.0.1", int(plain.settings["port"]))
    assert service.record("iris-kept").status == RUNNING and process.alive(kept.pid)
    assert predictions(env, "iris-kept") == env.expected[0]

    # the serving process dies: the status says so, with the exit code and the log
    os.kill(kept.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while process.alive(kept.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    crashed = service.status(service.record("iris-kept"))
    assert crashed.status == FAILED and crashed.pid == 0
    assert f"The serving process {kept.pid} exited with exit code -9" in crashed.status_detail
    assert "Last lines of its log" in crashed.status_detail
    assert service.record("iris-kept").status == FAILED
    assert not service.health(crashed).ok
    for record in service.records():
        service.delete(record)


def test_port_in_use_is_refused_before_anything_starts(env: Env) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(InvalidInput, match=f"Port {port} on 127.0.0.1 is already in use"):
            env.service.create("local", "iris-busy", f"models:/{MODEL}/1", {"port": str(port)},
                               TaskContext())
    assert env.service.records() == []
    log = env.paths.log_dir / "deployments" / "iris-busy.log"
    assert not log.exists()


def test_no_pyfunc_flavor_and_unreachable_files(env: Env, mlflow_server: MlflowServer) -> None:
    client = client_for(mlflow_server.url)
    client.create_registered_model("deploy-odd")
    version = register_folder(mlflow_server.url, "deploy-odd",
                              "flavors:\n  onnx:\n    onnx_version: 1.0\n")
    with pytest.raises(InvalidInput, match=r"no python_function \(pyfunc\) flavor.*onnx"):
        env.service.create("local", "odd", f"models:/deploy-odd/{version}", {}, TaskContext())
    with pytest.raises(InvalidInput, match="no python_function"):
        env.service.serving_path(f"models:/deploy-odd/{version}", TaskContext())

    # a path-only version whose files are not where it says
    run = client.get_run(client.get_model_version("deploy-odd", str(version)).run_id)
    missing = f"{run.info.artifact_uri}/moved-away"
    mv = client.create_model_version("deploy-odd", missing, run_id=run.info.run_id)
    with pytest.raises(ModelHubError) as caught:
        env.service.create("local", "gone", f"models:/deploy-odd/{mv.version}", {},
                           TaskContext())
    assert f"there is no MLmodel file at {missing}" in str(caught.value)
    assert env.service.records() == []


def test_serving_path_says_which_and_why(env: Env) -> None:
    kind, why = env.service.serving_path(f"models:/{MODEL}/1", TaskContext())
    assert kind == "local" and "scikit-learn: the app serves it itself" in why


def test_serve_command_refuses_a_busy_port(env: Env, tmp_path: Path) -> None:
    """The serving command itself exits with a message when it cannot listen."""
    import subprocess

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            process.own_command("serve", f"models:/{MODEL}/1", "--port", str(port),
                                "--tracking-uri", env.profile.tracking_uri,
                                "--data-dir", str(env.paths.config_dir.parent)),
            capture_output=True, timeout=120, check=False, env={**os.environ,
                                                                "PYTHONWARNINGS": "ignore"})
    assert done.returncode != 0
    assert "address already in use" in done.stderr.decode().lower()
