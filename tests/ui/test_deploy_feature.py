"""Deploying wired into the window, offline (no server, a cache and deployment records on
disk): the Deployments tab lists the persisted records, the moved alias is marked, every
deploy action is disabled with the reason, the version table's "Deployed by" values and
the detail pane name the deployments, and the menus carry the Deploy action."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu

from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.deploy.base import STOPPED, DeploymentRecord
from modelhub_desktop.core.deploy.records import RecordStore
from modelhub_desktop.core.domain import ModelVersion, Profile, RegisteredModel, RunData
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore, SecretStore
from modelhub_desktop.ui.app_context import AppContext, StartOptions
from modelhub_desktop.ui.main_window import MainWindow
from modelhub_desktop.ui.tasks import TaskRunner
from tests.helpers import close_when_idle

PROFILE = Profile(name="Cached server", tracking_uri="http://127.0.0.1:9", source="config")
MODEL = "churn"


def open_offline(qtbot, data: Path) -> MainWindow:  # noqa: ANN001
    paths = AppPaths.resolve(data).ensure()
    cache = MetadataCache(paths.cache_file(PROFILE.cache_key))
    cache.replace_models([RegisteredModel(MODEL, latest_version=2, aliases={"champion": 2})])
    cache.replace_versions(MODEL, [ModelVersion(MODEL, v, run_id=f"r{v}") for v in (1, 2)],
                           {f"r{v}": RunData(f"r{v}", metrics={"auc": 0.7 + v / 10})
                            for v in (1, 2)})
    cache.close()
    RecordStore(paths.data_dir / "deployments.json").put(DeploymentRecord(
        name="churn-prod", backend="local", model_uri=f"models:/{MODEL}@champion",
        model_name=MODEL, version=1, alias="champion", endpoint="http://127.0.0.1:5911",
        status=STOPPED, status_detail="Stopped when the app quit.", created_at=1_700_000_000_000,
        settings={"host": "127.0.0.1", "port": "5911"}, profile_key=PROFILE.cache_key))
    settings = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)
    store = ProfileStore(paths)
    ctx = AppContext(paths, store, SecretStore(store), TaskRunner(), settings)
    window = MainWindow(ctx, PROFILE, StartOptions(offline=True, model=MODEL,
                                                   interactive=False))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.dataShown, timeout=30000):
        pass
    qtbot.waitUntil(lambda: window.version_table.model.rowCount() == 2)
    return window


def test_offline_the_window_lists_deployments_and_says_why_it_cannot_deploy(
        qtbot, tmp_path: Path) -> None:
    window = open_offline(qtbot, tmp_path / "d")
    feature, view = window.deploy, window.deploy.view
    assert window.tabs.tabText(window.tabs.indexOf(view)) == "Deployments"
    qtbot.waitUntil(lambda: view.model.row_of("churn-prod") >= 0)
    row = view.model.index(view.model.row_of("churn-prod"), view.model.column_of("status"))
    assert row.data() == "stopped — serves v1, @champion is v2"
    view.select("churn-prod")
    assert view.drift_bar.isVisibleTo(view) and not view.drift_button.isEnabled()
    assert view.drift_button.toolTip().startswith("Offline:")

    assert not feature.action.isEnabled()
    assert feature.action.toolTip().startswith("Offline: deploying needs the MLflow server")
    assert feature.deploy_current() is None and feature.dialog is None
    assert window.status.currentMessage().startswith("Offline:")
    model_menu = next(a.menu() for a in window.menuBar().actions()
                      if a.text().replace("&", "") == "Model")
    assert feature.action in model_menu.actions()

    by_version = {r.key: r.deployed_by for r in window.version_table.model.records()}
    assert by_version == {1: "churn-prod (stopped)", 2: ""}
    window.version_table.table.clearSelection()
    assert window.version_table.select_version(1)
    qtbot.waitUntil(lambda: window.detail.deployments_label.isVisibleTo(window.detail))
    assert window.detail.deployments_label.text() == (
        "Deployed as churn-prod (stopped, http://127.0.0.1:5911)")
    menu = QMenu(window)
    window.version_table.menuRequested.emit(menu, window.version_table.selected_rows())
    mine = [a for a in menu.actions() if a is feature.action or "deployment" in a.text()]
    assert [a.text() for a in mine] == ["&Deploy…", "Show deployment churn-prod"]
    mine[1].trigger()
    assert window.tabs.currentWidget() is view and view.selected().record.name == "churn-prod"
    menu.deleteLater()
    close_when_idle(qtbot, window)
    stored = RecordStore(AppPaths.resolve(tmp_path / "d").data_dir / "deployments.json").all()
    assert [(r.name, r.status) for r in stored] == [("churn-prod", STOPPED)]
