"""The main window over a cache filled by hand (offline, no server): what opens, how wide."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QLabel

from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import ModelVersion, Profile, RegisteredModel, RunData
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore, SecretStore
from modelhub_desktop.ui.app_context import AppContext, StartOptions
from modelhub_desktop.ui.main_window import MainWindow
from modelhub_desktop.ui.tasks import TaskRunner

LONG = "very long model name " * 9 + "— модель ✓ end"  # 200+ characters
OTHER = "other model"
PROFILE = Profile(name="Cached server", tracking_uri="http://127.0.0.1:9", source="config")


def fill_cache(paths: AppPaths, names: list[str]) -> None:
    cache = MetadataCache(paths.cache_file(PROFILE.cache_key))
    try:
        cache.replace_models([RegisteredModel(n, latest_version=2) for n in names])
        for name in names:
            runs = {f"r{i}-{len(name)}": RunData(run_id=f"r{i}-{len(name)}",
                                                  metrics={"auc": 0.5 + i / 10})
                    for i in (1, 2)}
            versions = [ModelVersion(name, i, run_id=f"r{i}-{len(name)}") for i in (1, 2)]
            cache.replace_versions(name, versions, runs)
    finally:
        cache.close()


def open_offline(qtbot, data: Path, settings_geometry: QByteArray | None = None,
                 **opts) -> MainWindow:  # noqa: ANN001
    paths = AppPaths.resolve(data).ensure()
    fill_cache(paths, [LONG, OTHER])
    settings = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)
    if settings_geometry is not None:
        settings.setValue("window/geometry", settings_geometry)
    store = ProfileStore(paths)
    ctx = AppContext(paths, store, SecretStore(store), TaskRunner(), settings)
    window = MainWindow(ctx, PROFILE, StartOptions(offline=True, **opts))
    qtbot.addWidget(window)
    window.show()
    return window


def test_long_model_name_never_widens_the_window(qtbot, tmp_path: Path) -> None:
    window = open_offline(qtbot, tmp_path / "d", model=LONG, interactive=False)
    with qtbot.waitSignal(window.dataShown, timeout=30000) as shown:
        pass
    assert shown.args[1] == 2
    available = window.screen().availableGeometry()
    assert window.frameGeometry().width() <= available.width()
    assert window.minimumSizeHint().width() <= available.width()
    assert window.controller.current_model == LONG


def test_saved_geometry_wider_than_the_screen_is_clamped(qtbot, tmp_path: Path) -> None:
    probe = QLabel("a 3000 px window saved on a bigger screen")
    qtbot.addWidget(probe)
    probe.resize(3000, 2000)
    probe.move(-500, -400)
    blob = probe.saveGeometry()
    window = open_offline(qtbot, tmp_path / "d", settings_geometry=blob, interactive=False)
    available = window.screen().availableGeometry()
    assert window.frameGeometry().width() <= available.width()
    assert window.frameGeometry().height() <= available.height()
    assert available.contains(window.frameGeometry().topLeft())
    with qtbot.waitSignal(window.dataShown, timeout=30000):
        pass


def test_missing_model_fails_smoke_naming_the_connection(qtbot, tmp_path: Path) -> None:
    window = open_offline(qtbot, tmp_path / "d", model="no such model", interactive=False)
    with qtbot.waitSignal(window.startFailed, timeout=30000) as failed:
        pass
    reason = failed.args[0]
    assert "no such model" in reason
    assert PROFILE.name in reason


def test_missing_model_is_a_notice_in_the_window(qtbot, tmp_path: Path) -> None:
    window = open_offline(qtbot, tmp_path / "d", model="no such model", interactive=True)
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=30000)
    assert "no such model" in window.notice.label.text()
    assert PROFILE.name in window.notice.label.text()
