"""A misbehaving server (through a fault-injecting proxy) or a failing disk: a clear
message, no frozen UI, the cache intact."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from modelhub_desktop.core import cache as cache_module
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import Unreachable
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.ui.main_window import MainWindow
from tests.builders import client_for, make_model
from tests.helpers import (
    CountingProxy,
    cache_is_whole,
    close_when_idle,
    open_window,
    read_only,
)
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e
MODEL = "fault model"

#: what a user reads for each fault (banner and status bar)
WORDS = {
    "500": "HTTP 5",
    "hang": "did not answer in time",
    "reset": "connection broke",
}
#: where the fault hits: the model list, a model's versions, or their runs
PATHS = {
    "models": "registered-models/search",
    "versions": "model-versions/search",
    "runs": "runs/search",
}


@pytest.fixture
def registry(mlflow_server: MlflowServer) -> MlflowServer:
    if not client_for(mlflow_server.url).search_registered_models(f"name = '{MODEL}'"):
        make_model(client_for(mlflow_server.url), MODEL, 2)
    return mlflow_server


@pytest.fixture
def proxy(registry: MlflowServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingProxy]:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    p = CountingProxy(registry.port, hang_seconds=6).start()
    yield p
    p.stop()


class StallProbe:
    """Largest gap between ticks of a 10 ms timer on the UI thread."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def __enter__(self) -> StallProbe:
        self._last = time.perf_counter()
        self.timer.start(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()

    @property
    def worst(self) -> float:
        return max(self.gaps, default=0.0)


def opened(qtbot, url: str, data: Path) -> MainWindow:  # noqa: ANN001
    window = open_window(qtbot, url, data, model=MODEL)
    with qtbot.waitSignal(window.dataShown, timeout=60000):
        pass
    return window


@pytest.mark.parametrize("fault", list(WORDS))
def test_gateway_says_what_happened(proxy: CountingProxy, fault: str) -> None:
    gw = RegistryGateway(Profile("f", proxy.url))
    gw.connect()
    proxy.fault = fault  # type: ignore[assignment]
    proxy.fault_paths = (PATHS["models"],)
    started = time.monotonic()
    with pytest.raises(Unreachable, match=WORDS[fault]):
        gw.list_models()
    assert time.monotonic() - started < 10  # the short timeout holds, no retry storm


@pytest.mark.parametrize("where", list(PATHS))
@pytest.mark.parametrize("fault", list(WORDS))
def test_window_stays_usable_and_cache_intact(
    qtbot, proxy: CountingProxy, registry, tmp_path: Path, fault: str, where: str
) -> None:
    window = opened(qtbot, proxy.url, tmp_path / "d")
    cache = window.session.cache
    models_before = cache.models()
    versions_before = cache.versions(MODEL)
    assert len(versions_before) == 2
    # the server's data moves on, so a half-written snapshot would show
    client_for(registry.url).set_model_version_tag(MODEL, "1", "fault", f"{fault}-{where}")
    proxy.fault = fault  # type: ignore[assignment]
    proxy.fault_paths = (PATHS[where],)
    banner = window.findChild(QLabel, "offlineBanner")
    with StallProbe() as probe:
        window.refresh()
        qtbot.waitUntil(banner.isVisible, timeout=30000)
    assert probe.worst < 0.5, f"UI thread stalled for {probe.worst:.2f} s"
    text = banner.text()
    assert "Offline: showing data from" in text and WORDS[fault] in text, text
    assert "Retrying in" in text
    assert window.online is False
    # what is on screen and in the cache is the last good snapshot
    assert window.model_list.model.rowCount() == len(models_before)
    assert window.version_table.model.rowCount() == 2
    assert cache.versions(MODEL) == versions_before
    if where == "models":
        assert cache.models() == models_before
    assert cache_is_whole(cache.path)
    window.model_list.search.setText("fault")  # still answers the user
    assert window.model_list.proxy.rowCount() >= 1
    window.model_list.search.clear()
    # the server recovers: the banner goes, the new data lands
    proxy.fault = "none"
    window.refresh()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=30000)
    qtbot.waitUntil(
        lambda: cache.versions(MODEL)[-1].tags.get("fault") == f"{fault}-{where}", timeout=30000
    )
    close_when_idle(qtbot, window)


def test_full_disk_during_a_sync_is_a_clear_message(
    qtbot, registry: MlflowServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = opened(qtbot, registry.url, tmp_path / "d")
    cache = window.session.cache
    before = cache.models()

    def full(*_args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    real_write_many = cache_module._write_many
    monkeypatch.setattr(cache_module, "_write_many", full)
    with StallProbe() as probe:
        window.refresh()
        qtbot.waitUntil(lambda: "disk is full" in window.status.currentMessage(), timeout=30000)
    assert probe.worst < 0.5
    message = window.status.currentMessage()
    assert "Could not write the local cache" in message, message
    assert window.isVisible() and not window.findChild(QLabel, "offlineBanner").isVisible()
    assert window.model_list.model.rowCount() == len(before)  # still showing the old data
    assert cache.models() == before and cache_is_whole(cache.path)
    monkeypatch.setattr(cache_module, "_write_many", real_write_many)
    window.refresh()  # space is back: the next sync works
    qtbot.waitUntil(lambda: re.match(r"\d+ models?\b", window.status.currentMessage()),
                    timeout=30000)
    close_when_idle(qtbot, window)


def test_read_only_cache_folder_at_start_is_a_clear_message(qtbot, tmp_path: Path) -> None:
    data = tmp_path / "d"
    paths = AppPaths.resolve(data).ensure()
    with read_only(paths.cache_dir):
        window = open_window(qtbot, "http://127.0.0.1:9", data)
        with qtbot.waitSignal(window.startFailed, timeout=30000) as failed:
            pass
        message = failed.args[0]
        assert "Cannot open the local cache" in message and "writable" in message, message
        assert message in window.status.currentMessage()
        assert window.isVisible()  # the app keeps running; the profile can be changed
        assert window.connections_action.isEnabled()
        window.close()
    assert list(paths.cache_dir.iterdir()) == []


@pytest.mark.parametrize("damage", ["garble", "truncate"])
def test_damaged_cache_at_start_is_rebuilt_with_a_message(
    qtbot, registry: MlflowServer, tmp_path: Path, damage: str
) -> None:
    window = opened(qtbot, registry.url, tmp_path / "d")
    path = window.session.cache.path
    close_when_idle(qtbot, window)
    raw = bytearray(path.read_bytes())
    if damage == "garble":
        raw[100:4096] = bytes((b * 7 + 13) % 256 for b in raw[100:4096])
        path.write_bytes(bytes(raw))
    else:
        path.write_bytes(bytes(raw[: len(raw) // 3 + 17]))
    again = open_window(qtbot, registry.url, tmp_path / "d", model=MODEL)
    with qtbot.waitSignal(again.dataShown, timeout=60000):  # refilled from the server
        pass
    assert "moved to" in again.session.cache.recovered
    # the refresh's status messages come and go; the notice stays until dismissed
    assert again.notice.isVisible()
    assert "local cache was unreadable" in again.notice.label.text()
    assert "moved to" in again.notice.label.text()
    assert again.online is True and again.version_table.model.rowCount() == 2
    assert len(list(path.parent.glob(f"{path.name}.corrupt-*[0-9]"))) == 1
    assert cache_is_whole(path)
    close_when_idle(qtbot, again)
