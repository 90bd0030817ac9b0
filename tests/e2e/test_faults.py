"""A misbehaving server (through a fault-injecting proxy): clear message, no frozen UI,
cache intact."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import Unreachable
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import client_for, make_model
from tests.e2e.test_main_window import open_window
from tests.proxy import CountingProxy
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e
MODEL = "fault model"


@pytest.fixture
def proxy(mlflow_server: MlflowServer, monkeypatch: pytest.MonkeyPatch
          ) -> Iterator[CountingProxy]:
    if not client_for(mlflow_server.url).search_registered_models(f"name = '{MODEL}'"):
        make_model(client_for(mlflow_server.url), MODEL, 2)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    p = CountingProxy(mlflow_server.port, hang_seconds=6).start()
    yield p
    p.stop()


@pytest.mark.parametrize("fault, words", [
    ("500", "HTTP 5"),
    ("hang", "did not answer in time"),
    ("reset", "connection broke"),
])
def test_gateway_says_what_happened(proxy: CountingProxy, fault: str, words: str) -> None:
    gw = RegistryGateway(Profile("f", proxy.url))
    gw.connect()
    proxy.fault = fault  # type: ignore[assignment]
    proxy.fault_paths = ("registered-models/search",)
    with pytest.raises(Unreachable, match=words):
        gw.list_models()


@pytest.mark.parametrize("fault", ["500", "hang", "reset"])
def test_window_stays_usable_and_cache_intact(qtbot, proxy: CountingProxy, tmp_path: Path,
                                              fault: str) -> None:
    window = open_window(qtbot, proxy.url, tmp_path / "d", model=MODEL)
    with qtbot.waitSignal(window.dataShown, timeout=60000):
        pass
    before = [m.name for m in window.session.cache.models()]
    proxy.fault = fault  # type: ignore[assignment]
    proxy.fault_paths = ("registered-models/search",)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    window.refresh()
    banner = window.findChild(QLabel, "offlineBanner")
    qtbot.waitUntil(banner.isVisible, timeout=30000)
    timer.stop()
    assert "Offline: showing data from" in banner.text()
    assert max(gaps) < 0.5, f"UI thread stalled for {max(gaps):.2f} s"
    assert [m.name for m in window.session.cache.models()] == before
    assert window.model_list.model.rowCount() == len(before)
    proxy.fault = "none"
    window.refresh()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=30000)
    window.close()
