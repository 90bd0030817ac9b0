"""Icons and other files shipped inside the package (and inside frozen bundles)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon


def resource_dir() -> Path:
    """The package's resources/ folder, also inside a PyInstaller bundle (`_MEIPASS`)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "modelhub_desktop" / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def app_icon() -> QIcon:
    """The window icon: the SVG for any size, the 256 px PNG where SVG cannot be drawn."""
    folder = resource_dir()
    icon = QIcon()
    for name in ("modelhub.svg", "modelhub-256.png"):
        candidate = folder / name
        if candidate.exists():
            icon.addFile(str(candidate))
    return icon
