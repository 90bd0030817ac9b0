"""Deployments through a user-chosen Python for real: a scikit-learn version registered on
a real `mlflow server`, served by `python -m mlflow models serve --env-manager local` in
this test's own interpreter (which has mlflow and uvicorn), asked for a prediction over
HTTP and stopped with everything it started; a Python without mlflow is refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from modelhub_desktop.core.deploy import process
from modelhub_desktop.core.deploy.base import RUNNING, STOPPED
from modelhub_desktop.core.deploy.service import DeployService
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import InvalidInput
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import client_for
from tests.deploy_models import ROWS, iris_models, payload, register_sklearn
from tests.servers import MlflowServer

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(os.name == "nt", reason="process groups are POSIX")]

MODEL = "deploy-pyenv-iris"


@dataclass
class Env:
    paths: AppPaths
    service: DeployService
    expected: list[int]  # the model's own predictions on ROWS


@pytest.fixture(scope="module")
def env(mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    import pandas as pd

    model = iris_models()[0]
    client_for(mlflow_server.url).create_registered_model(MODEL)
    register_sklearn(mlflow_server.url, MODEL, [model])
    frame = pd.DataFrame(ROWS, columns=payload()["dataframe_split"]["columns"])
    expected = [int(v) for v in model.predict(frame)]
    paths = AppPaths.resolve(tmp_path_factory.mktemp("deploy-pyenv-app")).ensure()
    profile = Profile(name="deploy-pyenv", tracking_uri=mlflow_server.url,
                      source="command-line", username="bob")
    service = DeployService(paths)
    service.set_session(profile, RegistryGateway(profile))
    yield Env(paths, service, expected)
    for record in service.records():  # nothing may outlive the tests
        if record.pid:
            process.stop(record.pid)


def group_members(pgid: int) -> list[int]:
    """Live processes of process group `pgid` (zombies excluded), from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.slow
def test_serve_in_a_chosen_python_predict_logs_and_stop(env: Env) -> None:
    service = env.service
    python = sys.executable
    record = service.create("python-env", "iris-pyenv", f"models:/{MODEL}/1",
                            {"python": python, "env_manager": "local"}, TaskContext())
    port = int(record.settings["port"])
    assert (record.status, record.backend, record.version) == (RUNNING, "python-env", 1)
    assert record.endpoint == f"http://127.0.0.1:{port}"
    assert record.settings["python"] == python and record.settings["env_manager"] == "local"
    assert Path(record.settings["model_dir"], "MLmodel").is_file()
    assert service.record("iris-pyenv").status == RUNNING

    # it is `mlflow models serve` in the chosen Python, running uvicorn in its group
    assert cmdline(record.pid).startswith(f"{python} -m mlflow models serve -m ")
    members = group_members(record.pid)
    assert record.pid in members
    assert any("uvicorn" in cmdline(pid) for pid in members), [cmdline(p) for p in members]
    assert requests.get(record.endpoint + "/ping", timeout=5).status_code == 200
    assert service.status(record).status == RUNNING
    assert service.health(record).ok

    answer = service.predict(record, payload())
    assert answer.status == 200, answer.error
    assert isinstance(answer.body, dict)
    assert [int(v) for v in answer.body["predictions"]] == env.expected

    logs = service.logs(record)
    assert f"starting: {python} -m mlflow models serve -m {record.settings['model_dir']}" in logs
    assert "--env-manager local" in logs and "uvicorn" in logs.lower()

    stopped = service.stop(record)
    assert stopped.status == STOPPED and stopped.pid == 0
    assert service.record("iris-pyenv").status == STOPPED
    assert not process.alive(record.pid)
    assert group_members(record.pid) == [], [cmdline(p) for p in group_members(record.pid)]
    assert process.port_free("127.0.0.1", port)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    service.delete(stopped)
    assert service.records() == []


@pytest.mark.slow
def test_a_python_without_mlflow_is_refused(env: Env, tmp_path: Path) -> None:
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   capture_output=True, timeout=120)
    bare = str(venv / "bin" / "python")
    port = process.free_port()
    before = {p.name for p in Path("/proc").iterdir() if p.name.isdigit()}
    with pytest.raises(InvalidInput) as caught:
        env.service.create("python-env", "iris-bare", f"models:/{MODEL}/1",
                           {"python": bare, "env_manager": "local", "port": str(port)},
                           TaskContext())
    message = str(caught.value)
    assert f"{bare} cannot serve models" in message
    assert "No module named 'mlflow'" in message
    assert f"`{bare} -m ensurepip`, then `{bare} -m pip install mlflow uvicorn`" in message
    assert env.service.records() == []
    assert not (env.paths.log_dir / "deployments" / "iris-bare.log").exists()
    time.sleep(0.2)
    after = {p.name for p in Path("/proc").iterdir() if p.name.isdigit()}
    started = [cmdline(int(pid)) for pid in after - before]
    assert not [c for c in started if bare in c], started
    assert process.port_free("127.0.0.1", port)

    # not an interpreter at all, and an unknown environment manager
    with pytest.raises(InvalidInput, match="is not an executable Python interpreter"):
        env.service.create("python-env", "iris-none", f"models:/{MODEL}/1",
                           {"python": str(tmp_path / "nope" / "python")}, TaskContext())
    with pytest.raises(InvalidInput, match="is not one of local, uv, virtualenv"):
        env.service.create("python-env", "iris-conda", f"models:/{MODEL}/1",
                           {"python": sys.executable, "env_manager": "conda"}, TaskContext())
    assert env.service.records() == []


def test_a_python_under_home_is_run_by_its_full_path(env: Env, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """"~/..." as typed in the dialog: no shell expands it, so the command must."""
    wrapper = tmp_path / "bin" / "python"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("HOME", str(tmp_path))
    cmd, run_env = env.service.python_env.command(
        f"models:/{MODEL}/1", "127.0.0.1", 5000,
        {"python": "~/bin/python", "env_manager": "local", "model_dir": str(tmp_path)})
    assert cmd[:5] == [str(wrapper), "-m", "mlflow", "models", "serve"]
    assert run_env["PATH"].split(os.pathsep)[0] == str(wrapper.parent)
