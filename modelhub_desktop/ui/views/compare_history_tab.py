"""The compare view's Metric history tab: one curve per version of the chosen metric
(or small multiples of several), on step, wall or relative time, smoothed, log scale.

Curves appear as histories arrive. Zooming in on the step axis of sampled histories
asks the store for the visible steps at full resolution. The note under the chart says
what it cannot show; the status line says the same when a load ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSlider,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core import compare
from modelhub_desktop.core.chart_data import history_chart_notes, history_series, no_metrics_note
from modelhub_desktop.core.compare import Compared
from modelhub_desktop.core.compare_csv import write_histories_csv
from modelhub_desktop.core.errors import Cancelled, ModelHubError
from modelhub_desktop.ui.charts import hover, plots
from modelhub_desktop.ui.charts.curve_builder import CurveBuilder, Curves, CurveSpec
from modelhub_desktop.ui.views.compare_parts import note_label
from modelhub_desktop.ui.views.compare_store import HistoryStore, Loaded

#: Small multiples shown at most (3 x 3).
MAX_MULTIPLES = 9


class HistoryTab(QWidget):
    """Metric histories of the compared versions; see the module docstring."""

    statusMessage = Signal(str)  # noqa: N815
    multiplesToggled = Signal(bool)  # noqa: N815

    def __init__(self, store: HistoryStore, theme: plots.Theme,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_tag = "history"
        self.store = store
        self.theme = theme
        self.items: list[Compared] = []
        self.metric_key = ""
        self.multiple_keys: list[str] = []
        self.first_runs: list[str] = []  # loaded before the others
        self._curve_items: Curves = {}
        self._multi: list[tuple[str, tuple[pg.PlotItem, Curves]]] = []
        self._drawing = False
        self._build()
        self.curves = CurveBuilder(self)
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(30)
        self._redraw_timer.timeout.connect(self.draw)
        # zooming in asks the server for the visible steps at full resolution
        self.zoom_timer = QTimer(self)
        self.zoom_timer.setSingleShot(True)
        self.zoom_timer.setInterval(350)
        self.zoom_timer.timeout.connect(self._fetch_zoomed)
        store.changed.connect(self._redraw_timer.start)
        store.loaded.connect(self._loaded)
        store.failed.connect(self._load_failed)
        store.progressed.connect(self.statusMessage)
        store.zoomed.connect(self._zoomed)
        store.zoomFailed.connect(self.statusMessage)

    def _build(self) -> None:
        v = QVBoxLayout(self)
        opts = QHBoxLayout()
        opts.addWidget(QLabel("X axis:"))
        self.x_axis = QComboBox()
        self.x_axis.setObjectName("historyXAxis")
        for key, label in compare.X_AXES.items():
            self.x_axis.addItem(label, key)
        self.x_axis.currentIndexChanged.connect(self._restyle)
        opts.addWidget(self.x_axis)
        self.log_y = QCheckBox("Log scale")
        self.log_y.setObjectName("historyLogScale")
        self.log_y.toggled.connect(self._restyle)
        opts.addWidget(self.log_y)
        opts.addWidget(QLabel("Smoothing:"))
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setObjectName("historySmoothing")
        self.smoothing.setRange(0, 99)
        self.smoothing.setMaximumWidth(160)
        self.smoothing.setToolTip("Exponential moving average (0 = off)")
        self.smoothing.valueChanged.connect(self._smoothing_changed)
        opts.addWidget(self.smoothing)
        self.smoothing_label = QLabel("off")
        self.smoothing_label.setMinimumWidth(32)
        opts.addWidget(self.smoothing_label)
        self.multiples = QCheckBox("Small multiples")
        self.multiples.setObjectName("smallMultiples")
        self.multiples.setToolTip("One small chart per metric, all versions in each")
        self.multiples.toggled.connect(self._multiples_toggled)
        opts.addWidget(self.multiples)
        self.multiples_button = QToolButton()
        self.multiples_button.setObjectName("multiplesMetrics")
        self.multiples_button.setText("Metrics…")
        self.multiples_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.multiples_menu = QMenu(self.multiples_button)
        self.multiples_button.setMenu(self.multiples_menu)
        self.multiples_button.setEnabled(False)
        opts.addWidget(self.multiples_button)
        opts.addStretch(1)
        v.addLayout(opts)
        self.stack = QStackedWidget()
        self.plot = plots.make_plot(self.theme)
        self.plot.setObjectName("historyPlot")
        self.hover = hover.HoverReadout(self.plot)
        self.plot.getPlotItem().sigXRangeChanged.connect(self._on_zoom)
        self.stack.addWidget(self.plot)
        self.grid = pg.GraphicsLayoutWidget()
        self.grid.setObjectName("smallMultiplesGrid")
        self.grid.setBackground(self.theme.background)
        self.grid_hover = hover.HoverReadout(self.grid)
        self.stack.addWidget(self.grid)
        v.addWidget(self.stack, 1)
        self.note = note_label("historyNote")
        v.addWidget(self.note)

    # -- what to show --------------------------------------------------------------------------
    def set_items(self, items: Sequence[Compared], keys: Sequence[str],
                  first_runs: Sequence[str]) -> None:
        """Compare `items`, which logged `keys`; load `first_runs` before the others."""
        self.items = list(items)
        self.first_runs = list(first_runs)
        self.store.forget_runs({c.run.run_id for c in self.items
                                if c.run and c.run.status == "RUNNING"})
        self.multiple_keys = ([k for k in self.multiple_keys if k in keys]
                              or compare.default_multiples(keys))
        self.multiples_menu.clear()
        for key in keys:
            action = QAction(key, self.multiples_menu)
            action.setCheckable(True)
            action.setChecked(key in self.multiple_keys)
            action.toggled.connect(self._multiples_menu_changed)
            self.multiples_menu.addAction(action)

    def set_metric(self, key: str) -> None:
        """Chart `key` (and load what is missing of it)."""
        self.metric_key = key
        self.plot.getPlotItem().enableAutoRange()
        self.draw()
        self.load()

    def set_multiple_metrics(self, keys: Sequence[str]) -> None:
        """Metrics of the small multiples (the first MAX_MULTIPLES)."""
        self.multiple_keys = list(dict.fromkeys(keys))[:MAX_MULTIPLES]
        for action in self.multiples_menu.actions():
            action.blockSignals(True)
            action.setChecked(action.text() in self.multiple_keys)
            action.blockSignals(False)
        if self.multiples.isChecked():
            self.load()
            self.draw()

    def shown_keys(self) -> list[str]:
        """The metrics the chart shows."""
        keys = self.multiple_keys if self.multiples.isChecked() else [self.metric_key]
        return [k for k in keys if k]

    def load(self) -> None:
        """Ask the store for what the chart shows and does not hold."""
        refresh = {c.run.run_id for c in self.items if c.run and c.run.status == "RUNNING"}
        runs = self._runs()
        started = False
        if self.metric_key:
            started |= self.store.request("metric", runs, [self.metric_key], refresh,
                                          self.first_runs)
        if self.multiples.isChecked():
            started |= self.store.request("multiples", runs, self.multiple_keys, refresh,
                                          self.first_runs)
        if started:
            self.update_note()

    def _runs(self) -> list[str]:
        return [c.run.run_id for c in self.items if c.run]

    def weight(self) -> float:
        return self.smoothing.value() / 100

    def x_mode(self) -> str:
        return str(self.x_axis.currentData() or "step")

    # -- drawing -------------------------------------------------------------------------------
    def draw(self) -> None:
        """Redraw the chart (curves are reused when only their data changed)."""
        self._drawing = True
        try:
            if self.multiples.isChecked():
                self._draw_multiples()
            else:
                self._draw_single()
        finally:
            self._drawing = False
        self.update_note()

    def _specs(self, item: pg.PlotItem, target: hover.HoverTarget, key: str,
               legend: bool = True) -> list[CurveSpec]:
        """Axes of `item` for the current options; the curves of `key` to draw in it."""
        x_mode, log_y = self.x_mode(), self.log_y.isChecked()
        plots.set_x_axis(item, x_mode == "wall", self.theme)
        item.setLogMode(y=log_y)
        curves, x_title, scale = history_series(self.items, self.store.data, key, x_mode,
                                                self.weight(), log_y)
        item.setLabel("bottom", x_title, color=self.theme.foreground)
        target.x_label = x_title.split(" (")[0].lower()
        target.x_format = plots.fmt_time if x_mode == "wall" else plots.fmt_number
        target.log_y = log_y
        # wide lines cost the raster engine several times more: thin ones for many curves
        width = 2.0 if legend and len(curves) <= 6 else 1.0
        return [CurveSpec(c.version.version, i, c.label, s.xs / scale if scale != 1.0 else s.xs,
                          s.ys, s.raw, width) for i, c, s in curves]

    def _draw_single(self) -> None:
        item = self.plot.getPlotItem()
        self.hover.clear()
        target = self.hover.target(item)
        specs = self._specs(item, target, self.metric_key)
        weight = self.weight()
        item.setLabel("left", (f"{self.metric_key} (smoothed {weight:.2f})" if weight
                               else self.metric_key), color=self.theme.foreground)
        self.curves.stop()
        self.curves.sync(item, self._curve_items, target, specs, named=True,
                         dark=self.theme.dark)
        self.curves.start()

    def _draw_multiples(self) -> None:
        """One small chart per chosen metric; the grid is rebuilt only when the metrics
        change, curves are reused like the main chart's."""
        keys = (self.multiple_keys or [k for k in [self.metric_key] if k])[:MAX_MULTIPLES]
        self.curves.stop()
        if keys != [k for k, _ in self._multi]:
            self.grid.clear()
            self._multi = []
            cols = 1 if len(keys) <= 1 else 2 if len(keys) <= 4 else 3
            for n, key in enumerate(keys):
                item = self.grid.addPlot(row=n // cols, col=n % cols)
                plots.style_plot(item, self.theme, legend=n == 0)
                plots.set_title(item, key, self.theme)
                self._multi.append((key, (item, {})))
        self.grid_hover.clear()
        for n, (key, (item, curves)) in enumerate(self._multi):
            target = self.grid_hover.target(item)
            specs = self._specs(item, target, key, legend=n == 0)
            self.curves.sync(item, curves, target, specs, named=n == 0, dark=self.theme.dark)
        self.curves.start()

    def update_note(self) -> None:
        """Say what the chart cannot show: no runs, metrics not logged or not cached,
        points left out, sampled histories."""
        keys = self.shown_keys()
        if not self.items:
            self.note.setText("")
        elif not keys:
            self.note.setText(no_metrics_note(self.items))
        else:
            store = self.store
            self.note.setText("\n".join(history_chart_notes(
                self.items, store.data, keys, store.pending(), store.sampled,
                online=store.online, has_source=store.has_source,
                log_y=self.log_y.isChecked())))

    # -- loads ending --------------------------------------------------------------------------
    def _loaded(self, outcome: Loaded) -> None:
        self.update_note()
        missing = [line for line in self.note.text().splitlines()
                   if "not in the local cache" in line]
        if outcome.missing and missing:
            # the status line says what the note says: nothing to draw for those
            self.statusMessage.emit("Metric histories: " + "; ".join(missing))
        else:
            self.statusMessage.emit(f"Metric histories ready: {outcome.what}")

    def _load_failed(self, _scope: str, error: ModelHubError) -> None:
        if isinstance(error, Cancelled):
            self.update_note()
            return
        self.statusMessage.emit(f"Could not load metric histories: {error}")
        self.draw()
        self.note.setText(f"Could not load metric histories: {error}\n" + self.note.text())

    # -- options -------------------------------------------------------------------------------
    def _restyle(self, *_: object) -> None:
        self.plot.getPlotItem().enableAutoRange()
        self.draw()

    def _smoothing_changed(self, value: int) -> None:
        self.smoothing_label.setText(f"{value / 100:.2f}" if value else "off")
        self.draw()

    def _multiples_toggled(self, on: bool) -> None:
        self.stack.setCurrentIndex(1 if on else 0)
        self.multiples_button.setEnabled(on)
        if on:
            self.load()
        self.draw()
        self.multiplesToggled.emit(on)

    def _multiples_menu_changed(self, _checked: bool) -> None:
        keys = [a.text() for a in self.multiples_menu.actions() if a.isChecked()]
        if len(keys) > MAX_MULTIPLES:
            self.statusMessage.emit(f"Small multiples show the first {MAX_MULTIPLES} metrics.")
        self.set_multiple_metrics(keys)

    # -- zoom: full resolution for the visible steps -------------------------------------------
    def _on_zoom(self, *_: object) -> None:
        if not (self._drawing or self.curves.adding) and not self.multiples.isChecked():
            self.zoom_timer.start()

    def _fetch_zoomed(self) -> None:
        if self.x_mode() != "step" or not self.metric_key:
            return
        lo, hi = self.plot.getPlotItem().vb.viewRange()[0]
        self.store.fetch_window(self.metric_key, self._runs(), lo, hi)

    def _zoomed(self, window: tuple[int, int]) -> None:
        """Draw the spliced histories; keep the view where the user put it."""
        vb = self.plot.getPlotItem().vb
        x_range, y_range = vb.viewRange()
        self.draw()
        self._drawing = True
        try:
            vb.setRange(xRange=x_range, yRange=y_range, padding=0)
        finally:
            self._drawing = False
        self.statusMessage.emit(f"Full resolution for steps {window[0]}–{window[1]}")

    # -- page interface ------------------------------------------------------------------------
    def chart(self) -> Any:
        return self.grid.ci if self.multiples.isChecked() else self.plot.getPlotItem()

    def chart_title(self) -> str:
        return self.metric_key

    def write_csv(self, path: Path) -> None:
        """Chart data in long format, one series per version (and metric)."""
        keys = self.shown_keys()
        series = {}
        for key in keys:
            for c in self.items:
                if c.run and (c.run.run_id, key) in self.store.data:
                    label = c.label if len(keys) == 1 else f"{c.label} {key}"
                    series[label] = self.store.histories[(c.run.run_id, key)]
        write_histories_csv(path, series, self.weight())

    def retheme(self, theme: plots.Theme) -> None:
        self.theme = theme
        self.plot.setBackground(theme.background)
        plots.style_plot(self.plot.getPlotItem(), theme)
        self.grid.setBackground(theme.background)
        for _, (item, _curves) in self._multi:
            plots.style_plot(item, theme, legend=item.legend is not None)
            plots.set_title(item, item.titleLabel.text, theme)
        self.draw()
