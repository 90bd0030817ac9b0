"""Grouped bars of final metrics: a group per metric, a bar per compared version.

Metrics of very different size (accuracy next to a loss in the thousands) are each scaled
to their largest absolute value so every group stays readable; the hover shows the real
value and the best bar of each metric is outlined.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg

from modelhub_desktop.core import compare
from modelhub_desktop.ui.charts.hover import HoverReadout, add_hover
from modelhub_desktop.ui.charts.palette import series_style
from modelhub_desktop.ui.charts.plots import Theme


def draw(item: pg.PlotItem, readout: HoverReadout, rows: Sequence[compare.FinalRow],
         labels: Sequence[str], theme: Theme, max_metrics: int) -> int:
    """Draw the first `max_metrics` rows as bars, one per label; how many metrics are shown."""
    item.clear()
    if item.legend is not None:
        item.legend.clear()
    readout.clear()
    shown = list(rows[:max_metrics])
    scales = {r.key: max((abs(v) for v in r.values if compare.is_finite(v)), default=0.0)
              for r in shown}
    nonzero = [s for s in scales.values() if s > 0]
    normalize = bool(nonzero) and max(nonzero) / min(nonzero) > 10
    item.setLabel("left", "value ÷ largest |value| of the metric" if normalize else "value",
                  color=theme.foreground)
    n = max(len(labels), 1)
    width = 0.8 / n
    target = readout.target(item, x_label="metric",
                                    x_format=lambda x: _tick_name(shown, x))
    fg = pg.mkPen(theme.foreground, width=2.5)
    all_heights: list[float] = [0.0]
    for i, label in enumerate(labels):
        xs, heights, raw, pens = [], [], [], []
        color, _ = series_style(i, theme.dark)
        for k, row in enumerate(shown):
            value = row.values[i]
            if not compare.is_finite(value):
                continue
            scale = scales[row.key] if normalize and scales[row.key] else 1.0
            xs.append(k - 0.4 + width * (i + 0.5))
            heights.append(value / scale)
            raw.append(value)
            pens.append(fg if row.is_best(i) else pg.mkPen(color))
        if not xs:
            continue
        all_heights += heights
        item.addItem(pg.BarGraphItem(x=xs, height=heights, width=width * 0.9,
                                     brush=color, pens=pens))
        if item.legend is not None:
            item.legend.addItem(pg.BarGraphItem(x=[0], height=[0], width=0, brush=color),
                                label)
        add_hover(target, label, xs, heights, raw)
    item.getAxis("bottom").setTicks([[(k, r.key) for k, r in enumerate(shown)]])
    if item.legend is not None:  # one row: leaves the bars visible
        item.legend.setColumnCount(min(n, 8))
    # room above the bars for the legend
    lo, hi = min(all_heights), max(all_heights)
    span = (hi - lo) or 1.0
    item.setYRange(lo - (0.05 * span if lo < 0 else 0), hi + 0.35 * span, padding=0)
    item.setXRange(-0.6, max(len(shown), 1) - 0.4, padding=0)
    return len(shown)


def _tick_name(rows: Sequence[compare.FinalRow], x: float) -> str:
    k = int(round(x))
    return rows[k].key if 0 <= k < len(rows) else ""
