"""pyqtgraph plots for comparing versions: themed, tuned for long histories, exportable."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from modelhub_desktop.ui.charts.palette import is_dark, series_style


@dataclass(frozen=True)
class Theme:
    background: str
    foreground: str
    dark: bool

    @property
    def name(self) -> str:
        return "dark" if self.dark else "light"


def current_theme() -> Theme:
    """Background and text colours of the application palette (light or dark)."""
    pal = QApplication.palette()
    bg = pal.color(QPalette.ColorRole.Base).name()
    fg = pal.color(QPalette.ColorRole.Text).name()
    return Theme(bg, fg, is_dark(bg))


def style_plot(item: pg.PlotItem, theme: Theme, legend: bool = True) -> pg.PlotItem:
    """Axes, grid and legend in the theme's colours; downsampling and clip-to-view on."""
    item.showGrid(x=True, y=True, alpha=0.25)
    for axis in ("left", "bottom"):
        _style_axis(item.getAxis(axis), theme)
    if legend and item.legend is None:
        item.addLegend(offset=(-10, 10), labelTextColor=theme.foreground,
                       brush=pg.mkBrush(theme.background + "d0"),
                       pen=pg.mkPen(theme.foreground, width=0.5))
    elif item.legend is not None:
        item.legend.setLabelTextColor(theme.foreground)
        item.legend.setBrush(pg.mkBrush(theme.background + "d0"))
    # Long histories: draw only what is visible, with peak-preserving downsampling.
    item.setDownsampling(auto=True, mode="peak")
    item.setClipToView(True)
    return item


def make_plot(theme: Theme | None = None) -> pg.PlotWidget:
    theme = theme or current_theme()
    widget = pg.PlotWidget(background=theme.background)
    style_plot(widget.getPlotItem(), theme)
    return widget


def set_title(item: pg.PlotItem, text: str, theme: Theme) -> None:
    item.setTitle(text, color=theme.foreground, size="10pt")


def set_x_axis(item: pg.PlotItem, dates: bool, theme: Theme) -> None:
    """Switch the bottom axis between numbers and dates/times (wall clock)."""
    current = item.getAxis("bottom")
    if isinstance(current, pg.DateAxisItem) == dates:
        return
    axis = pg.DateAxisItem(orientation="bottom") if dates else pg.AxisItem(orientation="bottom")
    item.setAxisItems({"bottom": axis})
    _style_axis(axis, theme)
    item.showGrid(x=True, y=True, alpha=0.25)


def _style_axis(axis: pg.AxisItem, theme: Theme) -> None:
    axis.setPen(theme.foreground)
    axis.setTextPen(theme.foreground)
    axis.enableAutoSIPrefix(False)  # show 0.8, not 800 (x0.001)
    # major and minor grid lines only: the finest level adds clutter and ~20 ms per frame
    axis.setStyle(maxTickLevel=1)


def fmt_number(value: float) -> str:
    return f"{value:.6g}"


def fmt_time(value: float) -> str:
    try:
        return datetime.fromtimestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return fmt_number(value)


def make_pen(index: int, dark: bool, width: float = 2.0) -> Any:
    color, dash = series_style(index, dark)
    pen = pg.mkPen(color=color, width=width)
    if dash:
        pen.setStyle(Qt.PenStyle.CustomDashLine)
        pen.setDashPattern(dash)
    return pen


def _symbol(y: np.ndarray) -> str | None:
    """A dot for points with no finite neighbour: as a line they would be invisible."""
    finite = np.isfinite(y)
    lonely = finite & ~(np.r_[False, finite[:-1]] | np.r_[finite[1:], False])
    n = int(lonely.sum())
    return "o" if 0 < n <= 500 else None


def add_series(item: pg.PlotItem, index: int, label: str, xs: Sequence[float],
               ys: Sequence[float], dark: bool = False, width: float = 2.0,
               name: bool = True) -> pg.PlotDataItem:
    """One version's curve. NaN breaks the line; a lone point is drawn as a dot."""
    color, _ = series_style(index, dark)
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    return item.plot(x, y, pen=make_pen(index, dark, width), name=label if name else None,
                     connect="finite", symbol=_symbol(y), symbolSize=7, symbolBrush=color,
                     symbolPen=color)


def update_series(curve: pg.PlotDataItem, index: int, xs: Sequence[float],
                  ys: Sequence[float], dark: bool = False, width: float = 2.0) -> None:
    """New data or style for an existing curve (much cheaper than a new item)."""
    y = np.asarray(ys, dtype=float)
    color, _ = series_style(index, dark)
    curve.setPen(make_pen(index, dark, width))
    curve.setSymbolBrush(color)
    curve.setSymbolPen(color)
    curve.setSymbol(_symbol(y))
    curve.setData(np.asarray(xs, dtype=float), y, connect="finite")


@dataclass
class _Target:
    item: pg.PlotItem
    series: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    x_label: str = "step"
    x_format: Callable[[float], str] = fmt_number
    log_y: bool = False
    describe: Callable[[str, int], str] | None = None  # extra text per (label, index)


class HoverReadout:
    """Tooltip with the series, x and value of the point nearest to the mouse.

    One readout per scene (a PlotWidget or a GraphicsLayoutWidget of small multiples);
    plots are registered with `add` after each redraw and dropped with `clear`.
    """

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        self.targets: list[_Target] = []
        widget.scene().sigMouseMoved.connect(self._moved)

    def clear(self) -> None:
        self.targets = []

    def target(self, item: pg.PlotItem, x_label: str = "step",
               x_format: Callable[[float], str] = fmt_number, log_y: bool = False,
               describe: Callable[[str, int], str] | None = None) -> _Target:
        t = _Target(item, [], x_label, x_format, log_y, describe)
        self.targets.append(t)
        return t

    @property
    def series(self) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
        """Series of the first plot (the main chart)."""
        return self.targets[0].series if self.targets else []

    def text_at(self, scene_pos: QPointF) -> str | None:
        for t in self.targets:
            vb = t.item.getViewBox()
            if vb is None or vb.scene() is None or not vb.sceneBoundingRect().contains(scene_pos):
                continue
            return self._nearest(t, vb.mapSceneToView(scene_pos), vb.viewRange())
        return None

    @staticmethod
    def _nearest(t: _Target, point: QPointF, rng: list[list[float]]) -> str | None:
        sx = (rng[0][1] - rng[0][0]) or 1.0
        sy = (rng[1][1] - rng[1][0]) or 1.0
        best: tuple[float, str, float, float, float, int] | None = None
        for label, xs, ys, raw in t.series:
            if len(xs) == 0:
                continue
            i = int(np.clip(np.searchsorted(xs, point.x()), 0, len(xs) - 1))
            for j in range(max(0, i - 1), min(len(xs), i + 1)):
                y = ys[j]
                if not math.isfinite(y) or (t.log_y and y <= 0):
                    continue
                yv = math.log10(y) if t.log_y else y
                d = ((xs[j] - point.x()) / sx) ** 2 + ((yv - point.y()) / sy) ** 2
                if best is None or d < best[0]:
                    best = (d, label, float(xs[j]), float(y), float(raw[j]), j)
        if best is None or best[0] > 0.0025:  # within ~5% of the view
            return None
        _, label, x, y, raw_y, j = best
        text = f"{label}\n{t.x_label} {t.x_format(x)}\nvalue {raw_y:.6g}"
        if raw_y != y and math.isfinite(raw_y):
            text += f" (smoothed {y:.6g})"
        if t.describe is not None:
            text += t.describe(label, j)
        return text

    def _moved(self, pos: QPointF) -> None:
        text = self.text_at(pos)
        if text:
            view_pos = self.widget.mapFromScene(pos)
            QToolTip.showText(self.widget.mapToGlobal(view_pos), text, self.widget)
        else:
            QToolTip.hideText()


def add_hover(target: _Target, label: str, xs: Sequence[float], ys: Sequence[float],
              raw: Sequence[float] | None = None) -> None:
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    target.series.append((label, x, y, np.asarray(raw if raw is not None else ys, dtype=float)))


def mark(item: pg.PlotItem, x: float, y: float, text: str, color: str) -> Any:
    label = pg.TextItem(text, color=QColor(color), anchor=(0.5, 1.3))
    label.setPos(x, y)
    item.addItem(label)
    return label


# -- export --------------------------------------------------------------------------------------
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
