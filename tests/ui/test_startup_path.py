"""The window must appear before mlflow (slow to import) is loaded, and core must not use Qt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)


def test_window_shows_without_importing_mlflow(tmp_path: Path) -> None:
    code = f"""
import sys
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QSettings
app = QApplication([])
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore
from modelhub_desktop.core.secrets import SecretStore
from modelhub_desktop.ui.app_context import AppContext, StartOptions
from modelhub_desktop.ui.main_window import MainWindow
from modelhub_desktop.ui.tasks import TaskRunner
paths = AppPaths.resolve({str(tmp_path)!r}).ensure()
store = ProfileStore(paths)
ctx = AppContext(paths, store, SecretStore(), TaskRunner(),
                 QSettings(str(paths.settings_file), QSettings.Format.IniFormat))
w = MainWindow(ctx, store.get("Local"), StartOptions(offline=True, interactive=False))
w.show()
app.processEvents()
print("mlflow loaded:", "mlflow" in sys.modules)
"""
    proc = run(code)
    assert "mlflow loaded: False" in proc.stdout, proc.stdout + proc.stderr


def test_core_imports_no_qt() -> None:
    code = """
import sys, pkgutil, importlib
import modelhub_desktop.core as core
for m in pkgutil.walk_packages(core.__path__, "modelhub_desktop.core."):
    importlib.import_module(m.name)
print("qt loaded:", any(k.startswith(("PySide6", "shiboken6")) for k in sys.modules))
"""
    proc = run(code)
    assert "qt loaded: False" in proc.stdout, proc.stdout + proc.stderr
