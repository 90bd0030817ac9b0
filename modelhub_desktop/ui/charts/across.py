"""The across-versions chart: one metric's latest value for every version of a model.

A dotted line through all versions makes a regression visible at a glance; the compared
versions are outlined in their curve colours and alias holders are starred and labelled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from modelhub_desktop.core.compare import AcrossPoint
from modelhub_desktop.ui.charts import plots
from modelhub_desktop.ui.charts.hover import HoverReadout, add_hover
from modelhub_desktop.ui.charts.palette import ALIAS_MARK, series_style
from modelhub_desktop.ui.charts.plots import Theme


def draw(item: pg.PlotItem, readout: HoverReadout, points: Sequence[AcrossPoint],
         compared: Mapping[int, int], key: str, x_mode: str, theme: Theme) -> None:
    """Draw `points` into `item`; `compared` maps a compared version to its curve index."""
    xs = [p.x for p in points]
    ys = [p.value for p in points]
    dark = theme.dark
    line_color, _ = series_style(0, dark)
    item.plot(xs, ys, pen=pg.mkPen(QColor(theme.foreground), width=1.2,
                                   style=Qt.PenStyle.DotLine),
              symbol="o", symbolSize=7, symbolBrush=line_color, symbolPen=line_color,
              name=f"latest {key}")
    chosen = [(p, compared[p.version]) for p in points if p.version in compared]
    if chosen:  # one item for all outlines: 20 separate items cost ~150 ms
        item.addItem(pg.ScatterPlotItem(
            x=[p.x for p, _ in chosen], y=[p.value for p, _ in chosen], symbol="s",
            size=15, brush=None,
            pen=[pg.mkPen(series_style(i, dark)[0], width=2.5) for _, i in chosen]))
        item.legend.addItem(pg.ScatterPlotItem(symbol="s", size=12, brush=None,
                                               pen=pg.mkPen(theme.foreground,
                                                            width=2)), "compared")
    holders = [p for p in points if p.aliases]
    mark_color = ALIAS_MARK[theme.name]
    if holders:
        item.plot([p.x for p in holders], [p.value for p in holders], pen=None,
                  symbol="star", symbolSize=18, symbolBrush=mark_color,
                  symbolPen=pg.mkPen(theme.foreground, width=0.8),
                  name="alias holder")
        for p in holders:
            plots.mark(item, p.x, p.value, " ".join(f"@{a}" for a in p.aliases), mark_color)
    if x_mode == "version" and len(points) <= 30:
        item.getAxis("bottom").setTicks([[(p.x, f"v{p.version}") for p in points]])
    target = readout.target(
        item, x_label="registered" if x_mode == "registered" else "version",
        x_format=plots.fmt_time if x_mode == "registered" else (lambda x: f"{x:.0f}"),
        describe=lambda _label, j: f"\n{points[j].label}" if 0 <= j < len(points) else "")
    add_hover(target, f"latest {key}", xs, ys)
    item.enableAutoRange()
