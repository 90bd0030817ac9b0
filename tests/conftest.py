"""Fixtures shared by every test: isolation from the user's config/keychain, real servers,
and the leak gate (no task, pool job, timer or window may outlive its test)."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
for _var in (
    "MLFLOW_TRACKING_URI",
    "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_PASSWORD",
    "MLFLOW_TRACKING_TOKEN",
    "MLFLOW_TRACKING_INSECURE_TLS",
    "MLFLOW_TRACKING_SERVER_CERT_PATH",
    "MLFLOW_REGISTRY_URI",
):
    os.environ.pop(_var, None)

from tests.fakes import MemoryKeyring  # noqa: E402
from tests.helpers import attach_model_tester  # noqa: E402
from tests.leaks import check_leaks  # noqa: E402
from tests.servers import MlflowServer  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def collect_between_tests() -> Iterator[None]:
    """No automatic garbage collection while tests run: the leak check collects after
    each test, once its windows are gone (see tests/leaks.py)."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def no_leftover_work(request: pytest.FixtureRequest,
                     monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if it leaves a running task, pool job, active QTimer or open window."""
    yield from check_leaks(request, monkeypatch)


@pytest.fixture
def model_tester(qapp: Any) -> Callable[[Any], Any]:
    """`model_tester(model)`: Qt's model tester on `model` before it is filled, so every
    append, in-place update and sort after it is checked too (any number of models)."""
    testers: list[Any] = []

    def attach(model: Any) -> Any:
        tester = attach_model_tester(model)
        testers.append(tester)
        return tester

    return attach


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir; nothing touches the user's real config."""
    data = tmp_path / "modelhub-data"
    monkeypatch.setenv("MODELHUB_DATA_DIR", str(data))
    for var in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return data


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-memory keychain so no test reads or writes the user's real one."""
    import keyring

    previous = keyring.get_keyring()
    fake = MemoryKeyring()
    keyring.set_keyring(fake)
    yield fake
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """A real `mlflow server` on 127.0.0.1 for the whole session."""
    server = MlflowServer(tmp_path_factory.mktemp("mlflow-server")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def basic_auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """A real `mlflow server --app-name basic-auth` for credential tests; its artifacts are
    served through it, so they need the credentials too."""
    server = MlflowServer(tmp_path_factory.mktemp("mlflow-auth"), app_name="basic-auth",
                          proxied_artifacts=True).start()
    yield server
    server.stop()
