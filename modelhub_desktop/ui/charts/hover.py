"""Hover readout for charts: the series, x and exact value of the point under the mouse.

A tooltip names the version (with its aliases), the step or time and the raw value, also
when the curve is smoothed or the y axis is logarithmic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QToolTip

from modelhub_desktop.ui.charts.plots import Values, fmt_number


@dataclass
class HoverTarget:
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
        self.targets: list[HoverTarget] = []
        widget.scene().sigMouseMoved.connect(self._moved)

    def clear(self) -> None:
        self.targets = []

    def target(self, item: pg.PlotItem, x_label: str = "step",
               x_format: Callable[[float], str] = fmt_number, log_y: bool = False,
               describe: Callable[[str, int], str] | None = None) -> HoverTarget:
        t = HoverTarget(item, [], x_label, x_format, log_y, describe)
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
    def _nearest(t: HoverTarget, point: QPointF, rng: list[list[float]]) -> str | None:
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


def add_hover(target: HoverTarget, label: str, xs: Values, ys: Values,
              raw: Values | None = None) -> None:
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    target.series.append((label, x, y, np.asarray(raw if raw is not None else ys, dtype=float)))
