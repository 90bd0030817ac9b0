"""Offline review: same counts from the cache when the server is gone; changes between syncs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from tests.builders import client_for, make_model
from tests.e2e.test_main_window import open_window
from tests.servers import MlflowServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
MODEL = "offline model – ünïcode"


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """A server this test may stop and restart (never the shared session server)."""
    server = MlflowServer(tmp_path_factory.mktemp("own-server")).start()
    make_model(client_for(server.url), MODEL, 3, aliases={"champion": 1})
    make_model(client_for(server.url), "other model", 2)
    yield server
    server.stop()


def smoke(url: str, data: Path, *extra: str) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "modelhub_desktop", "--smoke", "--tracking-uri", url,
         "--model", MODEL, "--data-dir", str(data), *extra],
        capture_output=True, text=True, timeout=180, env=env,
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("smoke ")), "")
    assert line, proc.stdout + proc.stderr
    return line


def fields(line: str) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", line))


def test_smoke_online_then_offline_with_same_counts(own_server: MlflowServer,
                                                    tmp_path: Path) -> None:
    online = smoke(own_server.url, tmp_path / "d")
    assert online.startswith("smoke ok"), online
    own_server.stop()
    offline = smoke(own_server.url, tmp_path / "d")
    assert offline.startswith("smoke ok"), offline
    a, b = fields(online), fields(offline)
    assert a["mode"] == "online" and b["mode"] == "offline"
    assert (a["models"], a["versions"]) == (b["models"], b["versions"]) == ("2", "3")
    forced = fields(smoke(own_server.url, tmp_path / "d", "--offline"))
    assert forced["mode"] == "offline" and forced["versions"] == "3"


def test_changes_view_shows_alias_move_by_another_client(qtbot, own_server: MlflowServer,
                                                         tmp_path: Path) -> None:
    window = open_window(qtbot, own_server.url, tmp_path / "d", model=MODEL)
    with qtbot.waitSignal(window.dataShown, timeout=60000):
        pass
    client_for(own_server.url).set_registered_model_alias(MODEL, "champion", "3")
    window.refresh()
    view = window.changes_view
    qtbot.waitUntil(lambda: view.model.rowCount() >= 1, timeout=30000)
    details = [view.proxy.index(r, 4).data() for r in range(view.proxy.rowCount())]
    assert "champion: v1 -> v3" in details
    assert window.tabs.tabText(window.changes_tab) == f"Changes ({len(details)})"
    view.mark_read.click()
    assert window.tabs.tabText(window.changes_tab) == "Changes"
    window.close()


def test_server_dies_mid_session_then_returns(qtbot, own_server: MlflowServer,
                                              tmp_path: Path) -> None:
    window = open_window(qtbot, own_server.url, tmp_path / "d", model=MODEL)
    with qtbot.waitSignal(window.dataShown, timeout=60000):
        pass
    banner = window.findChild(QLabel, "offlineBanner")
    own_server.stop()
    window.refresh()
    qtbot.waitUntil(banner.isVisible, timeout=30000)
    assert "Offline: showing data from" in banner.text()
    assert window.version_table.model.rowCount() == 3  # cached rows still shown
    download = window.detail.download_button
    assert not download.isEnabled() and "Offline" in download.toolTip()
    window.model_list.search.setText("other")  # the UI is still usable
    assert window.model_list.proxy.rowCount() == 1
    window.model_list.search.clear()
    own_server.start()
    window.refresh()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=60000)
    assert window.online is True
    window.close()
