"""Render the app icon (SVG) to PNG sizes, .ico and .icns under resources/icons/.

    .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "modelhub_desktop" / "resources" / "modelhub.svg"
OUT = ROOT / "resources" / "icons"
SIZES = [16, 24, 32, 48, 64, 128, 256, 512]


def main() -> None:
    from PIL import Image
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication([])
    OUT.mkdir(parents=True, exist_ok=True)
    renderer = QSvgRenderer(str(SVG))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        image.save(str(OUT / f"modelhub-{size}.png"))
    big = Image.open(OUT / "modelhub-512.png")
    big.save(OUT / "modelhub.ico", sizes=[(s, s) for s in SIZES if s <= 256])
    big.save(OUT / "modelhub.icns")
    (ROOT / "modelhub_desktop" / "resources" / "modelhub-256.png").write_bytes(
        (OUT / "modelhub-256.png").read_bytes())
    print("icons written to", OUT)


if __name__ == "__main__":
    main()
