"""Curves added to charts a few per event-loop turn, and reused when only data changes.

Creating a pyqtgraph curve costs several milliseconds; 20 versions x 9 small multiples
created in one go would freeze the window for a second. A changed set of curves is queued
and built CURVES_PER_TURN at a time; an unchanged set only gets new data and style.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer

from modelhub_desktop.ui.charts import plots
from modelhub_desktop.ui.charts.hover import HoverTarget, add_hover

#: Curves created per event-loop turn.
CURVES_PER_TURN = 4

#: version -> (curve item, its label), per plot.
Curves = dict[int, tuple[Any, str]]


@dataclass(frozen=True)
class CurveSpec:
    """One curve to draw: whose, in which style, and its data."""

    version: int
    index: int  # position in the comparison: colour and dash
    label: str
    xs: np.ndarray
    ys: np.ndarray
    raw: np.ndarray
    width: float


class CurveBuilder(QObject):
    """Queues new curves and builds them a few per turn; see the module docstring."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: list[tuple[pg.PlotItem, Curves, HoverTarget, CurveSpec, bool, bool]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)
        #: True while curves are being added (their auto-range is not a user's zoom).
        self.adding = False

    def sync(self, item: pg.PlotItem, curves: Curves, target: HoverTarget,
             specs: list[CurveSpec], named: bool, dark: bool) -> None:
        """Make `curves` in `item` show `specs`: updated in place when the same versions
        and labels, else removed and queued for building (call `start` after)."""
        if [(s.version, s.label) for s in specs] == [(v, lab) for v, (_, lab) in curves.items()]:
            for spec in specs:
                plots.update_series(curves[spec.version][0], spec.index, spec.xs, spec.ys,
                                    dark, spec.width)
                add_hover(target, spec.label, spec.xs, spec.ys, spec.raw)
            return
        for curve, _ in curves.values():
            item.removeItem(curve)
        curves.clear()
        if named and item.legend is not None:
            item.legend.clear()
            item.legend.setColumnCount(1 if len(specs) <= 8 else 2 if len(specs) <= 16 else 3)
        self._queue += [(item, curves, target, spec, named, dark) for spec in specs]

    def stop(self) -> None:
        """Drop what is queued (a redraw is about to queue the new set)."""
        self._timer.stop()
        self._queue = []

    def start(self) -> None:
        if self._queue:
            self._step()  # the first few now, the rest on the next turns
        if self._queue:
            self._timer.start()

    def pending(self) -> bool:
        return bool(self._queue)

    def _step(self) -> None:
        batch, self._queue = self._queue[:CURVES_PER_TURN], self._queue[CURVES_PER_TURN:]
        self.adding = True
        try:
            for item, curves, target, spec, named, dark in batch:
                curve = plots.add_series(item, spec.index, spec.label, spec.xs, spec.ys,
                                         dark, width=spec.width, name=named)
                curves[spec.version] = (curve, spec.label)
                add_hover(target, spec.label, spec.xs, spec.ys, spec.raw)
        finally:
            self.adding = False
        if not self._queue:
            self._timer.stop()
