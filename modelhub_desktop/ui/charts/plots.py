"""pyqtgraph plots for comparing versions, tuned for long histories."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from modelhub_desktop.ui.charts.palette import series_style


def theme_colors() -> tuple[str, str]:
    """(background, foreground) following the application palette (light or dark)."""
    pal = QApplication.palette()
    return pal.color(QPalette.ColorRole.Base).name(), pal.color(QPalette.ColorRole.Text).name()


def make_plot(title: str = "") -> pg.PlotWidget:
    bg, fg = theme_colors()
    widget = pg.PlotWidget(background=bg)
    item = widget.getPlotItem()
    item.showGrid(x=True, y=True, alpha=0.2)
    for axis in ("left", "bottom"):
        item.getAxis(axis).setPen(fg)
        item.getAxis(axis).setTextPen(fg)
        item.getAxis(axis).enableAutoSIPrefix(False)  # show 0.8, not 800 (x0.001)
    if title:
        item.setTitle(title, color=fg)
    item.addLegend(offset=(-10, 10), labelTextColor=fg)
    # Long histories: draw only what is visible, peak-preserving downsampling.
    item.setDownsampling(auto=True, mode="peak")
    item.setClipToView(True)
    return widget


class HoverReadout:
    """Shows version, x and y of the nearest point under the mouse as a tooltip."""

    def __init__(self, widget: pg.PlotWidget, x_label: str = "step") -> None:
        self.widget = widget
        self.x_label = x_label
        self.series: list[tuple[str, np.ndarray, np.ndarray]] = []
        widget.scene().sigMouseMoved.connect(self._moved)

    def _moved(self, pos: QPointF) -> None:
        vb = self.widget.getPlotItem().vb
        if not self.series or not vb.sceneBoundingRect().contains(pos):
            return
        point = vb.mapSceneToView(pos)
        rng = vb.viewRange()
        sx = (rng[0][1] - rng[0][0]) or 1.0
        sy = (rng[1][1] - rng[1][0]) or 1.0
        best: tuple[float, str, float, float] | None = None
        for label, xs, ys in self.series:
            if len(xs) == 0:
                continue
            i = int(np.clip(np.searchsorted(xs, point.x()), 0, len(xs) - 1))
            for j in (i - 1, i):
                if 0 <= j < len(xs) and math.isfinite(ys[j]):
                    d = ((xs[j] - point.x()) / sx) ** 2 + ((ys[j] - point.y()) / sy) ** 2
                    if best is None or d < best[0]:
                        best = (d, label, float(xs[j]), float(ys[j]))
        if best is not None and best[0] < 0.01:
            x_text = f"{best[2]:g}"
            QToolTip.showText(self.widget.mapToGlobal(self.widget.mapFromScene(pos).toPoint()),
                              f"{best[1]}\n{self.x_label} {x_text}\nvalue {best[3]:.6g}",
                              self.widget)


def add_series(widget: pg.PlotWidget, index: int, label: str, xs: Sequence[float],
               ys: Sequence[float]) -> pg.PlotDataItem:
    color, dash = series_style(index)
    pen = pg.mkPen(color=color, width=2)
    if dash:
        pen.setDashPattern(dash)
        pen.setStyle(Qt.PenStyle.CustomDashLine)
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    y = np.where(np.isfinite(y), y, np.nan)  # inf would wreck the auto range
    symbol = "o" if len(x) <= 1 else None  # a single step is a dot, not an invisible line
    return widget.plot(x, y, pen=pen, name=label, symbol=symbol, symbolBrush=color,
                       symbolPen=color, connect="finite")


def export_png(widget: pg.PlotWidget, path: Path, width: int = 1600) -> Path:
    from pyqtgraph.exporters import ImageExporter

    exporter = ImageExporter(widget.getPlotItem())
    exporter.parameters()["width"] = width
    exporter.export(str(path))
    return path


def export_svg(widget: pg.PlotWidget, path: Path) -> Path:
    """Vector export through Qt's SVG generator (pyqtgraph's own SVG exporter cannot parse
    the paths recent Qt versions write)."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(widget.size())
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    generator.setTitle(widget.getPlotItem().titleLabel.text or "ModelHub chart")
    painter = QPainter(generator)
    widget.render(painter)
    painter.end()
    return path


def mark(widget: pg.PlotWidget, x: float, y: float, text: str, color: str) -> Any:
    item = pg.TextItem(text, color=QColor(color), anchor=(0.5, 1.2))
    item.setPos(x, y)
    widget.addItem(item)
    return item
