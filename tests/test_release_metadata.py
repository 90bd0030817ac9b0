"""What a release is built from has one source each: the version (modelhub_desktop/__init__.py)
and the app icon (resources/; the package holds copies made by packaging/make_icons.py)."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path

import modelhub_desktop

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_written_once() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("\n[", 2)[1]  # the [project] table, up to the next table
    assert project.startswith("project]") and not re.search(r"(?m)^version\s*=", project)
    assert re.search(r'(?m)^dynamic = \["version"\]', project)
    assert importlib.metadata.version("modelhub-desktop") == modelhub_desktop.__version__


def test_version_flag_prints_the_package_version() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-m", "modelhub_desktop", "--version"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{modelhub_desktop.APP_NAME} {modelhub_desktop.__version__}"


def test_newest_release_note_is_this_version() -> None:
    """The AppStream metadata software centres show lists this version as the newest."""
    text = (ROOT / "resources" / "io.modelhub.Desktop.metainfo.xml").read_text(encoding="utf-8")
    releases = re.findall(r'<release version="([^"]+)"', text)
    assert releases and releases[0] == modelhub_desktop.__version__


def test_packaged_icons_are_the_rendered_source() -> None:
    """The window icon inside the package is a copy of resources/: re-run
    `packaging/make_icons.py` after editing resources/modelhub-desktop.svg."""
    package = ROOT / "modelhub_desktop" / "resources"
    pairs = {
        package / "modelhub.svg": ROOT / "resources" / "modelhub-desktop.svg",
        package / "modelhub-256.png": ROOT / "resources" / "icons" / "modelhub-256.png",
    }
    stale = [str(copy.relative_to(ROOT)) for copy, source in pairs.items()
             if copy.read_bytes() != source.read_bytes()]
    assert not stale, f"out of date, run packaging/make_icons.py: {stale}"
    assert sorted(p.name for p in package.iterdir()) == sorted(p.name for p in pairs)
