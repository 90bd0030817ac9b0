"""Render the app icon from its SVG source to every file the packages need.

    .venv/bin/python packaging/make_icons.py

Source: resources/modelhub-desktop.svg. Writes resources/icons/modelhub-<N>.png
(16..512), resources/icons/modelhub.ico (Windows: 16..256) and resources/icons/modelhub.icns
(macOS: 16..1024), and copies the SVG and the 256 px PNG to modelhub_desktop/resources/
(the running app's window icon). Qt renders the SVG offscreen; Pillow writes .ico/.icns.
The outputs are committed: building the packages does not need Pillow. The package's copies
are checked equal to resources/ by tests/test_release_metadata.py.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "modelhub-desktop.svg"
OUT = ROOT / "resources" / "icons"
PACKAGE = ROOT / "modelhub_desktop" / "resources"
PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512]
ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
ICNS_SIZES = [16, 32, 64, 128, 256, 512, 1024]


def render(renderer: object, size: int) -> object:
    """The SVG drawn into a size x size RGBA Pillow image."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)  # type: ignore[attr-defined]
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")
    from io import BytesIO

    return Image.open(BytesIO(bytes(buffer.data()))).convert("RGBA")


def main() -> int:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"cannot read {SVG}", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    images = {size: render(renderer, size) for size in sorted({*PNG_SIZES, *ICNS_SIZES})}
    for size in PNG_SIZES:
        images[size].save(OUT / f"modelhub-{size}.png", optimize=True)
    largest_ico = images[max(ICO_SIZES)]
    largest_ico.save(OUT / "modelhub.ico", sizes=[(s, s) for s in ICO_SIZES],
                     append_images=[images[s] for s in ICO_SIZES])
    images[max(ICNS_SIZES)].save(OUT / "modelhub.icns",
                                 append_images=[images[s] for s in ICNS_SIZES])
    PACKAGE.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, PACKAGE / "modelhub.svg")
    shutil.copyfile(OUT / "modelhub-256.png", PACKAGE / "modelhub-256.png")
    print(f"icons written to {OUT.relative_to(ROOT)} and {PACKAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
