"""The frozen (PyInstaller) app and the .deb launch and show the demo registry.

Builds dist/ with packaging/build_linux.sh unless a build newer than every source is there
(PyInstaller's work folder under build/ is reused either way), then launches the bundle
and the unpacked .deb with `--demo --smoke` offscreen, as a user's first start would.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# a fresh build takes ~4-5 minutes on a 2-core machine
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1800)]
ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
BUNDLE = DIST / "modelhub-desktop" / "modelhub-desktop"
# what goes into the Linux bundle and packages (not the Windows/macOS scripts or docs)
SOURCES = [
    ROOT / "modelhub_desktop",
    ROOT / "resources",
    ROOT / "pyproject.toml",
    *(
        ROOT / "packaging" / name
        for name in (
            "modelhub-desktop.spec",
            "build_linux.sh",
            "launch.py",
            "bundle_check.py",
            "appinfo.py",
        )
    ),
]


def _newest_source() -> float:
    newest = 0.0
    for src in SOURCES:
        files = (
            [src]
            if src.is_file()
            else [p for p in src.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        )
        newest = max([newest, *(p.stat().st_mtime for p in files)])
    return newest


def _debs() -> list[Path]:
    return sorted(DIST.glob("modelhub-desktop_*.deb"), key=lambda p: p.stat().st_mtime)


def _fresh() -> bool:
    debs = _debs()
    newest = _newest_source()
    return (
        BUNDLE.exists()
        and bool(debs)
        and BUNDLE.stat().st_mtime > newest
        and debs[-1].stat().st_mtime > newest
    )


@pytest.fixture(scope="module")
def deb() -> Path:
    pytest.importorskip("PyInstaller", reason="PyInstaller missing: pip install -e '.[package]'")
    if not _fresh():
        env = dict(os.environ, MODELHUB_VENV=str(Path(sys.executable).parent.parent))
        proc = subprocess.run(["bash", str(ROOT / "packaging" / "build_linux.sh")], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=1500)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    assert BUNDLE.exists(), "build_linux.sh left no bundle"
    return _debs()[-1]


def _env() -> dict[str, str]:
    """The environment of a user's session: no venv, no test settings, offscreen Qt."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "MLFLOW_", "MODELHUB_", "QT_"))
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["MLFLOW_DISABLE_TELEMETRY"] = "true"
    return env


def smoke(binary: Path, data: Path) -> dict[str, str]:
    """Launch `binary --demo --smoke`; the fields of its `smoke ...` line."""
    proc = subprocess.run(
        [str(binary), "--demo", "--smoke", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("smoke ")]
    assert lines, f"exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    line = lines[-1]
    assert line.startswith("smoke ok "), line + "\n" + proc.stderr[-3000:]
    assert proc.returncode == 0, line
    return dict(re.findall(r"(\w+)=(\S+)", line))


def test_frozen_bundle_runs_the_demo(deb: Path, tmp_path: Path) -> None:
    fields = smoke(BUNDLE, tmp_path / "data")
    assert fields["profile"] == "Local" and fields["mode"] == "online", fields
    assert int(fields["models"]) >= 3, fields
    # the demo was seeded inside the bundle (mlflow sqlite store + scikit-learn)
    assert any((tmp_path / "data").rglob("mlflow.db")), fields
    again = smoke(BUNDLE, tmp_path / "data")  # second start: the store is already there
    assert int(again["models"]) == int(fields["models"]), again


def test_frozen_bundle_self_check(deb: Path) -> None:
    """keyring backends, mlflow entry points and a new sqlite store, pyqtgraph exporters."""
    env = dict(_env(), MODELHUB_BUNDLE_CHECK="1")
    proc = subprocess.run([str(BUNDLE)], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert proc.stdout.splitlines()[-1].startswith("bundle ok frozen=1"), proc.stdout


def test_bundle_leaves_out_what_the_app_does_not_use(deb: Path) -> None:
    internal = BUNDLE.parent / "_internal"
    qt = internal / "PySide6" / "Qt"
    assert not (qt / "translations").exists()
    assert not list((qt / "plugins").glob("platformthemes/*gtk*"))
    assert not list((qt / "plugins").glob("platforms/*eglfs*"))
    assert {p.name for p in (qt / "plugins" / "platforms").iterdir()} >= {
        "libqoffscreen.so",
        "libqxcb.so",
        "libqwayland.so",
    }
    for absent in (
        "PIL",
        "pyarrow",
        "matplotlib",
        "tkinter",
        "IPython",
        "flask",
        "aiohttp",
        "PySide6/QtNetwork.abi3.so",
        "libgtk-3.so.0",
        "libcairo.so.2",
    ):
        assert not (internal / absent).exists(), absent


def test_deb_installs_an_app_that_runs(deb: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    control = subprocess.run(
        ["dpkg-deb", "-f", str(deb)], check=True, capture_output=True, text=True
    ).stdout
    assert "Package: modelhub-desktop" in control
    desktop = root / "usr/share/applications/modelhub-desktop.desktop"
    assert "Exec=modelhub-desktop" in desktop.read_text(encoding="utf-8")
    for size in (16, 32, 48, 128, 256, 512):
        assert (root / f"usr/share/icons/hicolor/{size}x{size}/apps/modelhub-desktop.png").exists()
    assert (root / "usr/share/icons/hicolor/scalable/apps/modelhub-desktop.svg").exists()
    assert (root / "usr/share/metainfo/io.modelhub.Desktop.metainfo.xml").exists()
    # on PATH: /usr/bin/modelhub-desktop links (relatively) to /opt/modelhub-desktop; the
    # bootloader must find its _internal folder through the link
    link = root / "usr/bin/modelhub-desktop"
    assert link.is_symlink()
    assert link.resolve() == (root / "opt/modelhub-desktop/modelhub-desktop").resolve()
    fields = smoke(link, tmp_path / "data")
    assert int(fields["models"]) >= 3, fields
