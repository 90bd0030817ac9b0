"""MLflow's environment decides where the app opens (as it does for every MLflow client).

The app runs as a child process, exactly as a user starts it, with MLFLOW_TRACKING_URI /
USERNAME / PASSWORD exported for a READ user of a real `--app-name basic-auth` server.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.builders import as_admin, client_for, new_user
from tests.servers import MlflowServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
MODELS = ("env start model A", "env start model ü")


@pytest.fixture
def reader(basic_auth_server: MlflowServer) -> tuple[str, str, int]:
    """A READ user (the server's default permission), and the server's model count."""
    with as_admin():
        user, password = new_user(basic_auth_server.url, "env-reader")
        client = client_for(basic_auth_server.url)
        for name in MODELS:
            if not client.search_registered_models(f"name = '{name}'"):
                client.create_registered_model(name)
        count = len(client.search_registered_models(max_results=1000))
    return user, password, count


def run_app(
    data_dir: Path, env_vars: dict[str, str], *args: str, timeout: float = 120
) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING_")}
    env.pop("MODELHUB_DATA_DIR", None)
    env.update(env_vars, QT_QPA_PLATFORM="offscreen", MLFLOW_DISABLE_TELEMETRY="true")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "modelhub_desktop", "--smoke", "--data-dir", str(data_dir), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )
    return proc, time.monotonic() - started


def smoke_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in proc.stdout.splitlines() if line.startswith("smoke ")]
    assert lines, f"no smoke line; stdout={proc.stdout!r} stderr={proc.stderr[-2000:]!r}"
    return lines[-1]


def test_first_launch_opens_the_server_in_the_environment(
    basic_auth_server: MlflowServer, reader: tuple[str, str, int], tmp_path: Path
) -> None:
    user, password, count = reader
    env = {
        "MLFLOW_TRACKING_URI": basic_auth_server.url,
        "MLFLOW_TRACKING_USERNAME": user,
        "MLFLOW_TRACKING_PASSWORD": password,
    }
    proc, _ = run_app(tmp_path / "data", env)
    line = smoke_line(proc)
    assert proc.returncode == 0, line
    assert re.match(rf"smoke ok profile=Environment mode=online models={count} ", line), line
    assert count >= len(MODELS)


def test_a_wrong_password_fails_fast_naming_the_401(
    basic_auth_server: MlflowServer, reader: tuple[str, str, int], tmp_path: Path
) -> None:
    user, _password, _count = reader
    env = {
        "MLFLOW_TRACKING_URI": basic_auth_server.url,
        "MLFLOW_TRACKING_USERNAME": user,
        "MLFLOW_TRACKING_PASSWORD": "not-the-password",
    }
    proc, took = run_app(tmp_path / "data", env, timeout=60)
    line = smoke_line(proc)
    assert proc.returncode != 0, line
    assert line.startswith("smoke fail reason="), line
    assert "401" in line or "rejected the credentials" in line, line
    assert took < 20, f"took {took:.1f} s: {line}"


def test_profile_local_opens_the_built_in_registry_despite_the_variables(
    basic_auth_server: MlflowServer, reader: tuple[str, str, int], tmp_path: Path
) -> None:
    user, password, _count = reader
    env = {
        "MLFLOW_TRACKING_URI": basic_auth_server.url,
        "MLFLOW_TRACKING_USERNAME": user,
        "MLFLOW_TRACKING_PASSWORD": password,
    }
    proc, _ = run_app(tmp_path / "data", env, "--profile", "Local")
    line = smoke_line(proc)
    assert proc.returncode == 0, line
    assert line.startswith("smoke ok profile=Local mode=online models=0 "), line


def test_a_relaunch_without_flags_reopens_the_tracking_uri_used_last(
    mlflow_server: MlflowServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    first, _ = run_app(data, {}, "--tracking-uri", mlflow_server.url)
    name = mlflow_server.url.removeprefix("http://")
    assert smoke_line(first).startswith(f"smoke ok profile={name} mode=online "), first.stdout
    again, _ = run_app(data, {})
    assert smoke_line(again).startswith(f"smoke ok profile={name} mode=online "), again.stdout
