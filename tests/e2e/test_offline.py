"""Offline review: same counts from the cache when the server is gone; changes between syncs.

The tests use a server of their own, which they stop, kill and restart (never the shared
session server). The Changes view on its own is tested in tests/ui/test_changes_view.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.ui import session_controller
from modelhub_desktop.ui.main_window import MainWindow
from modelhub_desktop.ui.views.changes_view import COL_DETAIL, COL_KIND, ChangesView
from tests.builders import client_for, make_model
from tests.helpers import StallProbe, cache_is_whole, close_when_idle, open_window
from tests.servers import MlflowServer

MODEL = "offline model – ünïcode"


def shown(view: ChangesView, col: int) -> list[str]:
    return [view.proxy.index(r, col).data() for r in range(view.proxy.rowCount())]


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """A server this test may stop and restart (never the shared session server)."""
    server = MlflowServer(tmp_path_factory.mktemp("own-server")).start()
    make_model(client_for(server.url), MODEL, 3, aliases={"champion": 1})
    make_model(client_for(server.url), "other model", 2)
    yield server
    server.stop()


def kill(server: MlflowServer) -> None:
    """SIGKILL the server's whole process group: no goodbye, like a crash or a pulled cable."""
    assert server.proc is not None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.proc.pid, signal.SIGKILL)
    server.proc.wait(10)
    server.proc = None


def smoke(url: str, data: Path, *extra: str) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "modelhub_desktop",
            "--smoke",
            "--tracking-uri",
            url,
            "--model",
            MODEL,
            "--data-dir",
            str(data),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("smoke ")), "")
    assert line, proc.stdout + proc.stderr
    return line


def fields(line: str) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", line))


@pytest.mark.e2e
@pytest.mark.slow
def test_smoke_online_then_offline_with_same_counts(
    own_server: MlflowServer, tmp_path: Path
) -> None:
    online = smoke(own_server.url, tmp_path / "d")
    assert online.startswith("smoke ok"), online
    own_server.stop()
    started = time.monotonic()
    offline = smoke(own_server.url, tmp_path / "d")
    assert offline.startswith("smoke ok"), offline
    assert time.monotonic() - started < 60  # no retry storm against the dead server
    a, b = fields(online), fields(offline)
    assert a["mode"] == "online" and b["mode"] == "offline"
    assert a["profile"] == b["profile"]  # a --tracking-uri profile finds its own cache
    assert (a["models"], a["versions"]) == (b["models"], b["versions"]) == ("2", "3")
    forced = fields(smoke(own_server.url, tmp_path / "d", "--offline"))
    assert forced["mode"] == "offline" and (forced["models"], forced["versions"]) == ("2", "3")


@pytest.mark.e2e
@pytest.mark.slow
def test_changes_view_shows_alias_move_by_another_client(
    qtbot, own_server: MlflowServer, tmp_path: Path
) -> None:
    window = open_window(qtbot, own_server.url, tmp_path / "d", model=MODEL)
    with qtbot.waitSignal(window.dataShown, timeout=60000):
        pass
    view = window.changes_view
    assert view.model.rowCount() == 0  # the first sync is the baseline, not a change
    other = client_for(own_server.url)
    other.set_registered_model_alias(MODEL, "champion", "3")
    window.refresh()
    qtbot.waitUntil(lambda: view.model.rowCount() >= 1, timeout=30000)
    details = shown(view, COL_DETAIL)
    assert "champion: v1 -> v3" in details
    row = details.index("champion: v1 -> v3")
    assert shown(view, COL_KIND)[row] == "Alias moved" and shown(view, 1)[row] == MODEL
    assert view.proxy.index(row, 0).data(Qt.ItemDataRole.FontRole).bold()  # unread
    assert window.tabs.tabText(window.changes_tab) == f"Changes ({len(details)})"
    view.mark_read.click()
    assert window.tabs.tabText(window.changes_tab) == "Changes"
    assert window.session.cache.unread_changes() == 0
    # a second move: the history keeps both, only the new one is unread
    other.set_registered_model_alias(MODEL, "champion", "2")
    window.refresh()
    qtbot.waitUntil(lambda: "champion: v3 -> v2" in shown(view, COL_DETAIL), timeout=30000)
    assert "champion: v1 -> v3" in shown(view, COL_DETAIL)
    assert window.tabs.tabText(window.changes_tab) == "Changes (1)"
    close_when_idle(qtbot, window)
    # and a later offline start shows the same history from the cache
    own_server.stop()
    again = open_window(qtbot, own_server.url, tmp_path / "d", model=MODEL, offline=True)
    with qtbot.waitSignal(again.dataShown, timeout=30000) as data:
        pass
    assert data.args[2] == "offline"
    assert {"champion: v1 -> v3", "champion: v3 -> v2"} <= set(
        shown(again.changes_view, COL_DETAIL)
    )
    assert again.tabs.tabText(again.changes_tab) == "Changes (1)"
    close_when_idle(qtbot, again)


@pytest.mark.e2e
@pytest.mark.slow
def test_server_killed_mid_refresh_then_back_by_itself(
    qtbot, own_server: MlflowServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_controller, "RETRY_DELAYS_S", (1, 2))
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    window: MainWindow = open_window(qtbot, own_server.url, tmp_path / "d", model=MODEL)
    with qtbot.waitSignal(window.dataShown, timeout=60000):
        pass
    assert window.online is True
    cache = window.session.cache
    before = cache.versions(MODEL)
    assert [v.aliases for v in before] == [(), (), ("champion",)]
    # another client changes things, so the next snapshot differs from the cached one
    other = client_for(own_server.url)
    other.set_registered_model_alias(MODEL, "champion", "3")
    other.set_model_version_tag(MODEL, "2", "reviewed", "yes")

    # hold the refresh half-way: versions fetched, runs not yet; then pull the plug
    reached, go_on = threading.Event(), threading.Event()
    real_get_runs = RegistryGateway.get_runs

    def paused_get_runs(self: RegistryGateway, run_ids, ctx=None):  # noqa: ANN001, ANN202
        ids = list(run_ids)
        reached.set()
        go_on.wait(60)
        return real_get_runs(self, ids, ctx)

    monkeypatch.setattr(RegistryGateway, "get_runs", paused_get_runs)
    probe = StallProbe()
    probe.start()
    window.refresh()
    qtbot.waitUntil(reached.is_set, timeout=30000)
    kill(own_server)
    go_on.set()
    banner = window.findChild(QLabel, "offlineBanner")
    qtbot.waitUntil(banner.isVisible, timeout=30000)
    assert "Offline: showing data from" in banner.text()
    assert "Cannot reach the server" in banner.text() and "Retrying in" in banner.text()
    assert window.online is False

    # the UI stays usable on the cached data
    assert window.version_table.model.rowCount() == 3
    download = window.detail.download_button
    assert not download.isEnabled() and "Offline" in download.toolTip()
    window.model_list.search.setText("ünïcode")
    assert window.model_list.proxy.rowCount() == 1
    window.model_list.search.clear()
    assert window.model_list.proxy.rowCount() == 2
    assert window.model_list.current_model().name == MODEL
    stall_ms = probe.stop()
    assert stall_ms < 500, f"UI thread stalled for {stall_ms:.0f} ms"

    # the cache still holds the previous snapshot, whole
    assert cache.versions(MODEL) == before
    assert cache_is_whole(cache.path)
    assert not list(cache.path.parent.glob("*.corrupt-*"))

    # the server comes back: the app notices by itself (no refresh() call here)
    own_server.start()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=60000)
    assert window.online is True
    qtbot.waitUntil(lambda: cache.versions(MODEL)[1].tags.get("reviewed") == "yes", timeout=60000)
    after = {v.version: v for v in cache.versions(MODEL)}
    assert after[3].aliases == ("champion",) and after[1].aliases == ()
    # the cache is written on the worker; the Changes tab follows when the UI gets the result
    wanted = {"champion: v1 -> v3", "v2 tag reviewed = yes added"}
    qtbot.waitUntil(lambda: wanted <= set(shown(window.changes_view, COL_DETAIL)), timeout=10000)
    assert cache_is_whole(cache.path)
    close_when_idle(qtbot, window)
