"""pyqtgraph plots for comparing versions: themed, tuned for long histories, exportable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from modelhub_desktop.ui.charts.palette import is_dark, series_style

#: A series' numbers: a list, or (for long histories) a numpy array.
Values = Sequence[float] | np.ndarray


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


def add_series(item: pg.PlotItem, index: int, label: str, xs: Values,
               ys: Values, dark: bool = False, width: float = 2.0,
               name: bool = True) -> pg.PlotDataItem:
    """One version's curve. NaN breaks the line; a lone point is drawn as a dot."""
    color, _ = series_style(index, dark)
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    return item.plot(x, y, pen=make_pen(index, dark, width), name=label if name else None,
                     connect="finite", symbol=_symbol(y), symbolSize=7, symbolBrush=color,
                     symbolPen=color)


def update_series(curve: pg.PlotDataItem, index: int, xs: Values,
                  ys: Values, dark: bool = False, width: float = 2.0) -> None:
    """New data or style for an existing curve (much cheaper than a new item)."""
    y = np.asarray(ys, dtype=float)
    color, _ = series_style(index, dark)
    curve.setPen(make_pen(index, dark, width))
    curve.setSymbolBrush(color)
    curve.setSymbolPen(color)
    curve.setSymbol(_symbol(y))
    curve.setData(np.asarray(xs, dtype=float), y, connect="finite")


def mark(item: pg.PlotItem, x: float, y: float, text: str, color: str) -> Any:
    label = pg.TextItem(text, color=QColor(color), anchor=(0.5, 1.3))
    label.setPos(x, y)
    item.addItem(label)
    return label
