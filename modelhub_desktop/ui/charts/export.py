"""Charts to files: PNG at a fixed width and SVG that other tools render the same."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from modelhub_desktop.ui.charts.plots import current_theme


def export_png(item: Any, path: Path, width: int = 1600) -> Path:
    """A PlotItem or GraphicsLayout as a PNG image, `width` pixels wide."""
    from pyqtgraph.exporters import ImageExporter

    exporter = ImageExporter(item)
    exporter.parameters()["width"] = width
    exporter.export(str(path))
    if not Path(path).exists():  # some pyqtgraph/Qt pairs write nothing: grab instead
        _grab(item).save(str(path), "PNG")
    return Path(path)


def _grab(item: Any) -> Any:
    from PySide6.QtGui import QImage, QPainter

    rect = item.sceneBoundingRect()
    image = QImage(int(rect.width()) * 2, int(rect.height()) * 2, QImage.Format.Format_ARGB32)
    image.fill(QColor(current_theme().background))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    item.scene().render(painter, QRectF(image.rect()), rect)
    painter.end()
    return image


def export_svg(item: Any, path: Path, title: str = "ModelHub chart") -> Path:
    """A PlotItem or GraphicsLayout as SVG that renders the same in browsers, Inkscape,
    resvg and Qt.

    pyqtgraph's SVGExporter cannot parse the paths recent Qt versions write (it fails on
    "Z"), so the item is painted with Qt's SVG generator; its output keeps the data
    coordinates under huge per-group transforms with non-scaling strokes, which several
    renderers draw as kilometre-wide lines, so the transforms are baked into the
    coordinates afterwards (what pyqtgraph's exporter does, too).
    """
    from pyqtgraph.exporters import SVGExporter

    try:
        SVGExporter(item).export(str(path))
        if Path(path).stat().st_size > 0:
            return Path(path)
    except Exception:  # noqa: BLE001 - fails with Qt >= 6.7; use Qt's generator below
        with contextlib.suppress(OSError):
            Path(path).unlink()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    rect = item.sceneBoundingRect()
    w, h = max(1, int(rect.width())), max(1, int(rect.height()))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    # items cache their drawing as QPicture, replayed scaled by the device's DPI: match it
    screen = QApplication.primaryScreen()
    generator.setResolution(round(screen.logicalDotsPerInch()) if screen else 96)
    generator.setSize(QSize(w, h))
    generator.setViewBox(QRect(0, 0, w, h))
    generator.setTitle(title)
    generator.setDescription("Exported by ModelHub Desktop")
    painter = QPainter(generator)
    painter.fillRect(QRectF(0, 0, w, h), QColor(current_theme().background))
    item.scene().render(painter, QRectF(0, 0, w, h), rect)
    painter.end()
    buffer.close()
    text = bytes(data.data()).decode("utf-8")
    Path(path).write_text(bake_svg_transforms(text, w, h), encoding="utf-8")
    return Path(path)


_SVG = "http://www.w3.org/2000/svg"
_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _matrix(text: str) -> tuple[float, ...] | None:
    import re

    m = re.fullmatch(r"\s*matrix\(([^)]*)\)\s*", text or "")
    if not m:
        return None
    vals = tuple(float(v) for v in re.split(r"[,\s]+", m.group(1).strip()))
    return vals if len(vals) == 6 else None


def _apply(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _fmt(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".") if math.isfinite(v) else "0"


def _bake_points(m: tuple[float, ...], points: str) -> str | None:
    import re

    nums = [float(v) for v in re.findall(_NUM, points)]
    if len(nums) % 2:
        return None
    out = [_apply(m, nums[i], nums[i + 1]) for i in range(0, len(nums), 2)]
    return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in out)


def _bake_path(m: tuple[float, ...], d: str) -> str | None:
    """Absolute M/L/C/Q/Z paths (what Qt writes); None for anything else."""
    import re

    tokens = re.findall(r"[A-Za-z]|" + _NUM, d)
    out: list[str] = []
    nums: list[float] = []

    def flush() -> bool:
        if len(nums) % 2:
            return False
        for i in range(0, len(nums), 2):
            x, y = _apply(m, nums[i], nums[i + 1])
            out.append(f"{_fmt(x)},{_fmt(y)}")
        nums.clear()
        return True

    for tok in tokens:
        if tok.isalpha():
            if tok not in "MLCQZ" or not flush():
                return None
            out.append(tok)
        else:
            nums.append(float(tok))
    return " ".join(out) if flush() else None


def bake_svg_transforms(svg: str, width: int, height: int) -> str:
    """Move each group's matrix into the coordinates of its lines, paths and rects (groups
    holding text or images keep theirs); size in pixels instead of millimetres."""
    import xml.etree.ElementTree as ET

    ET.register_namespace("", _SVG)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(svg)
    root.set("width", str(width))
    root.set("height", str(height))
    q = f"{{{_SVG}}}"
    for el in root.iter():
        family = el.get("font-family")
        if family and not any(g in family for g in ("sans-serif", "serif", "monospace")):
            el.set("font-family", f"{family}, sans-serif")  # Qt's "Sans Serif" is no CSS name
    for group in root.iter(f"{q}g"):
        m = _matrix(group.get("transform", ""))
        if m is None or m == (1.0, 0.0, 0.0, 1.0, 0.0, 0.0):
            continue
        children = list(group)
        if not children:
            group.attrib.pop("transform", None)
            continue
        if any(ch.tag not in (f"{q}polyline", f"{q}polygon", f"{q}path", f"{q}rect")
               for ch in children):
            continue
        baked: list[tuple[Any, str, str]] = []
        for ch in children:
            if ch.tag == f"{q}rect":
                x, y = float(ch.get("x", 0)), float(ch.get("y", 0))
                w, h = float(ch.get("width", 0)), float(ch.get("height", 0))
                d = _bake_path(m, f"M{x},{y} L{x + w},{y} L{x + w},{y + h} L{x},{y + h} Z")
                new = ("d", d) if d else None
            elif ch.tag == f"{q}path":
                d = _bake_path(m, ch.get("d", ""))
                new = ("d", d) if d is not None else None
            else:
                pts = _bake_points(m, ch.get("points", ""))
                new = ("points", pts) if pts is not None else None
            if new is None:
                break
            baked.append((ch, new[0], new[1]))
        else:
            scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2])) or 1.0
            for ch, attr, value in baked:
                if ch.tag == f"{q}rect":
                    ch.tag = f"{q}path"
                    for k in ("x", "y", "width", "height"):
                        ch.attrib.pop(k, None)
                ch.set(attr, value)
                if ch.get("vector-effect") != "non-scaling-stroke" and group.get("stroke-width"):
                    # a cosmetic pen keeps its width; a scaled one grows with the transform
                    ch.set("stroke-width", _fmt(float(group.get("stroke-width", 1)) * scale))
            group.attrib.pop("transform", None)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + body + "\n"
