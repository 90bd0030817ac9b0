"""The main window against a real server: what it shows equals what the server holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QTableView

from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.ui.main_window import AppContext, MainWindow, StartOptions
from modelhub_desktop.ui.tasks import TaskRunner
from tests.builders import client_for, make_model
from tests.helpers import StallProbe, StubProfiles, open_window
from tests.servers import MlflowServer, free_port

pytestmark = pytest.mark.e2e

NAMES = ["window model – ünïcode", "window model with spaces"]
CURVES = "curves model"


@pytest.fixture(scope="module")
def server(mlflow_server: MlflowServer) -> MlflowServer:
    client = client_for(mlflow_server.url)
    make_model(client, NAMES[0], 3, aliases={"champion": 2, "challenger": 3})
    make_model(client, NAMES[1], 2)
    make_model(client, CURVES, 4, n_params=2, n_metrics=2, history_steps=40,
               aliases={"champion": 2})
    return mlflow_server


@pytest.fixture
def window(qtbot, server: MlflowServer, tmp_path: Path) -> Iterator[MainWindow]:
    w = open_window(qtbot, server.url, tmp_path / "d", model=NAMES[0])
    with qtbot.waitSignal(w.dataShown, timeout=60000):
        pass
    yield w
    w.close()


def table_column(view: QTableView, col: int) -> list[str]:
    model = view.model()
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_window_shows_what_the_server_holds(window: MainWindow, server: MlflowServer) -> None:
    gw = RegistryGateway(Profile("check", server.url))
    server_models = {m.name for m in gw.list_models()}
    model_list = window.findChild(QTableView, "modelList")
    assert set(table_column(model_list, 0)) == server_models
    versions = window.findChild(QTableView, "versionTable")
    shown = sorted(table_column(versions, 0))
    assert shown == ["v1", "v2", "v3"]
    aliases = window.version_table.model.column_ids().index("aliases")
    by_version = dict(zip(table_column(versions, 0), table_column(versions, aliases),
                          strict=True))
    assert by_version["v2"] == "@champion" and by_version["v3"] == "@challenger"
    assert window.findChild(QLabel, "offlineBanner").isHidden()
    status = window.statusBar()
    assert status.objectName() == "statusBar"
    assert "online" in window.status.profile_label.text()


def test_selecting_a_version_shows_its_detail(window: MainWindow, qtbot) -> None:
    assert window.version_table.select_version(2)
    qtbot.waitUntil(lambda: window.detail.version is not None
                    and window.detail.version.version == 2, timeout=5000)
    assert window.detail.version.uri == f"models:/{NAMES[0]}/2"


def test_invalid_server_filter_is_a_message(window: MainWindow, qtbot) -> None:
    search = window.findChild(QLineEdit, "modelSearch")
    search.setText("tags.x === 'broken")
    search.returnPressed.emit()
    error = window.model_list.search_error
    qtbot.waitUntil(lambda: error.isVisible(), timeout=10000)
    assert "Invalid filter" in error.text()
    search.setText("tags.nope = 'x'")
    search.returnPressed.emit()
    qtbot.waitUntil(lambda: window.model_list.model.rowCount() == 0, timeout=10000)
    search.clear()
    qtbot.waitUntil(lambda: window.model_list.model.rowCount() >= 2, timeout=10000)


def test_unreachable_server_keeps_ui_usable(qtbot, tmp_path: Path) -> None:
    w = open_window(qtbot, f"http://127.0.0.1:{free_port()}", tmp_path / "d2")
    with qtbot.waitSignal(w.dataShown, timeout=30000) as blocker:
        pass
    assert blocker.args[2] == "offline"
    banner = w.findChild(QLabel, "offlineBanner")
    assert banner.isVisible()
    assert "Offline" in banner.text()
    assert w.main_actions.refresh.isEnabled()
    w.close()


def test_three_selected_versions_on_charts(qtbot, server: MlflowServer, tmp_path: Path) -> None:
    """Select three versions, Ctrl+M: their curves, then every version across versions."""
    w = open_window(qtbot, server.url, tmp_path / "d3", model=CURVES)
    with qtbot.waitSignal(w.dataShown, timeout=60000):
        pass
    table = w.version_table.table
    sm = table.selectionModel()
    sm.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for r in range(table.model().rowCount()):
        if table.model().index(r, 0).data() in ("v1", "v2", "v4"):
            sm.select(table.model().index(r, 0), flags)
    w.activateWindow()
    qtbot.keyClick(table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    view = w.compare_view
    assert view is not None and w.tabs.currentWidget() is view
    qtbot.waitUntil(lambda: len(view.history_hover.series) == 3 and not view.curves_pending(),
                    timeout=30000)
    legend = view.history_plot.getPlotItem().legend
    assert sorted(label.text for _, label in legend.items) == ["v1", "v2 @champion", "v4"]
    truth = client_for(server.url).get_metric_history(
        w.version_table.model.records()[0].run.run_id, view.current_metric())
    drawn = {len(xs) for xs in (c.getData()[0] for c in
                                view.history_plot.getPlotItem().listDataItems())}
    assert drawn == {len(truth)} == {40}  # every step of every chosen version
    view.tabs.setCurrentIndex(1)
    item = view.across_plot.getPlotItem()
    latest = [c for c in item.listDataItems() if (c.name() or "").startswith("latest ")][0]
    assert list(latest.getData()[0]) == [1.0, 2.0, 3.0, 4.0]  # all versions of the model
    assert [i.toPlainText() for i in item.items if hasattr(i, "toPlainText")] == ["@champion"]
    w.close()


def test_slow_keychain_does_not_freeze_the_window(
    qtbot, server: MlflowServer, tmp_path: Path, memory_keyring
) -> None:
    """A locked keychain can take seconds to answer: the window keeps painting meanwhile."""
    import time

    from modelhub_desktop.core.profiles import SecretStore

    profile = Profile(name="slow", tracking_uri=server.url, auth="basic", username="someone")
    SecretStore().save(profile, password="pässword")
    original = type(memory_keyring).get_password

    def slow_get(self, service: str, username: str) -> str | None:  # noqa: ANN001
        time.sleep(2.0)
        return original(self, service, username)

    type(memory_keyring).get_password = slow_get
    try:
        paths = AppPaths.resolve(tmp_path / "d4").ensure()
        settings = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)
        ctx = AppContext(paths, StubProfiles(profile), SecretStore(), TaskRunner(), settings)
        probe = StallProbe()
        probe.start()
        w = MainWindow(ctx, profile, StartOptions(interactive=False, model=NAMES[0]))
        qtbot.addWidget(w)
        w.show()
        qtbot.waitUntil(lambda: "keychain" in w.status.currentMessage(), timeout=5000)
        with qtbot.waitSignal(w.dataShown, timeout=60000):
            pass
        stall_ms = probe.stop()
        assert w.session is not None
        assert w.session.gateway.host_creds().password == "pässword"
        assert w.online is True and w.version_table.model.rowCount() == 3
        assert stall_ms < 1000  # the 2 s keychain read happened off the UI thread
        w.close()
    finally:
        type(memory_keyring).get_password = original
