"""The frozen (PyInstaller) app and the .deb launch and show the demo registry."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# building the bundle takes several minutes on a 2-core machine
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1800)]
ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "modelhub-desktop" / "modelhub-desktop"


def _newest_source() -> float:
    files = [*ROOT.joinpath("modelhub_desktop").rglob("*.py"),
             ROOT / "packaging" / "modelhub-desktop.spec"]
    return max(p.stat().st_mtime for p in files)


@pytest.fixture(scope="module")
def built() -> Path:
    pytest.importorskip("PyInstaller", reason="pip install -e '.[package]' to build bundles")
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is needed to build the .deb")
    debs = sorted((ROOT / "dist").glob("modelhub-desktop_*.deb"))
    if not (BUNDLE.exists() and debs and BUNDLE.stat().st_mtime > _newest_source()):
        env = dict(os.environ, MODELHUB_VENV=str(Path(sys.executable).parent.parent))
        proc = subprocess.run(["bash", str(ROOT / "packaging" / "build_linux.sh")], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=1500)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        debs = sorted((ROOT / "dist").glob("modelhub-desktop_*.deb"))
    assert BUNDLE.exists() and debs
    return debs[-1]


def smoke(binary: Path, data: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run([str(binary), "--demo", "--smoke", "--data-dir", str(data)],
                          capture_output=True, text=True, timeout=300, env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("smoke ")]
    assert lines, proc.stdout[-2000:] + proc.stderr[-3000:]
    return lines[-1]


def test_frozen_bundle_runs_the_demo(built: Path, tmp_path: Path) -> None:
    line = smoke(BUNDLE, tmp_path / "data")
    assert line.startswith("smoke ok profile=Local mode=online models=3"), line


def test_deb_unpacked_runs_the_demo(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(built), str(root)], check=True)
    assert (root / "usr/share/applications/modelhub-desktop.desktop").exists()
    assert (root / "usr/share/icons/hicolor/256x256/apps/modelhub-desktop.png").exists()
    link = root / "usr/bin/modelhub-desktop"
    assert os.readlink(link) == "/opt/modelhub-desktop/modelhub-desktop"
    line = smoke(root / "opt/modelhub-desktop/modelhub-desktop", tmp_path / "data")
    assert line.startswith("smoke ok profile=Local mode=online models=3"), line
