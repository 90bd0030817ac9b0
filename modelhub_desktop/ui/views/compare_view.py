"""The `compareView`: chosen versions side by side on charts and tables."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core import compare
from modelhub_desktop.core.compare import Compared
from modelhub_desktop.core.errors import ModelHubError
from modelhub_desktop.core.formatting import fmt_metric
from modelhub_desktop.core.histories import (
    MAX_POINTS_PER_RUN,
    Histories,
    fetch_histories,
    load_histories,
)
from modelhub_desktop.ui.charts import plots
from modelhub_desktop.ui.charts.palette import series_style

BEST = QBrush(QColor(46, 160, 67, 70))
MAX_MULTIPLES = 6
X_AXES = [("step", "Step"), ("wall", "Wall time (s)"), ("relative", "Relative time (s)")]


def _item(text: str, align_right: bool = False) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if align_right:
        it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return it


class CompareView(QWidget):
    """Metric history, metric across versions, final metrics and params of chosen versions."""

    statusMessage = Signal(str)  # noqa: N815

    def __init__(self, runner: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.runner = runner
        self.gateway: Any = None
        self.cache: Any = None
        self.online = False
        self.model_name = ""
        self.selected: list[Compared] = []
        self.all_versions: list[Compared] = []
        self.histories: Histories = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.title = QLabel("Select two or more versions and press Compare (Ctrl+M).")
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Metric:"))
        self.metric_combo = QComboBox()
        self.metric_combo.setObjectName("compareMetric")
        self.metric_combo.setMinimumWidth(160)
        self.metric_combo.currentTextChanged.connect(self._metric_changed)
        top.addWidget(self.metric_combo)
        for label, slot in (("PNG…", self._export_png), ("SVG…", self._export_svg),
                            ("CSV…", self._export_csv)):
            b = QPushButton(f"Export {label}")
            b.setObjectName(f"export{label[:3]}Button")
            b.clicked.connect(slot)
            top.addWidget(b)
        layout.addLayout(top)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("compareTabs")
        layout.addWidget(self.tabs, 1)

        # -- metric history
        hist = QWidget()
        hl = QVBoxLayout(hist)
        opts = QHBoxLayout()
        opts.addWidget(QLabel("X axis:"))
        self.x_axis = QComboBox()
        for key, label in X_AXES:
            self.x_axis.addItem(label, key)
        self.x_axis.currentIndexChanged.connect(self.redraw)
        opts.addWidget(self.x_axis)
        self.log_y = QCheckBox("Log scale")
        self.log_y.toggled.connect(self.redraw)
        opts.addWidget(self.log_y)
        opts.addWidget(QLabel("Smoothing:"))
        self.smoothing = QSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0, 95)
        self.smoothing.setMaximumWidth(160)
        self.smoothing.valueChanged.connect(self.redraw)
        opts.addWidget(self.smoothing)
        self.multiples = QCheckBox("All metrics (small multiples)")
        self.multiples.setObjectName("smallMultiples")
        self.multiples.toggled.connect(self._multiples_toggled)
        opts.addWidget(self.multiples)
        opts.addStretch(1)
        hl.addLayout(opts)
        self.history_plot = plots.make_plot()
        self.history_plot.setObjectName("historyPlot")
        self.history_hover = plots.HoverReadout(self.history_plot)
        hl.addWidget(self.history_plot, 1)
        self.grid = pg.GraphicsLayoutWidget()
        self.grid.setObjectName("smallMultiplesGrid")
        self.grid.setBackground(plots.theme_colors()[0])
        self.grid.hide()
        hl.addWidget(self.grid, 1)
        # zooming in asks the server for the visible steps at full resolution
        self._zoom_timer = QTimer(self)
        self._zoom_timer.setSingleShot(True)
        self._zoom_timer.setInterval(350)
        self._zoom_timer.timeout.connect(self._fetch_zoomed)
        self.history_plot.getPlotItem().sigXRangeChanged.connect(self._on_zoom)
        self._drawing = False
        self.history_note = QLabel("")
        self.history_note.setWordWrap(True)
        hl.addWidget(self.history_note)
        self.tabs.addTab(hist, "Metric history")

        # -- across versions
        across = QWidget()
        al = QVBoxLayout(across)
        self.across_plot = plots.make_plot()
        self.across_plot.setObjectName("acrossPlot")
        self.across_hover = plots.HoverReadout(self.across_plot, "version")
        al.addWidget(self.across_plot, 1)
        self.tabs.addTab(across, "Across versions")

        # -- final metrics
        final = QWidget()
        fl = QVBoxLayout(final)
        base_row = QHBoxLayout()
        base_row.addWidget(QLabel("Baseline:"))
        self.baseline = QComboBox()
        self.baseline.setObjectName("baselineCombo")
        self.baseline.currentIndexChanged.connect(self._fill_final)
        base_row.addWidget(self.baseline)
        base_row.addStretch(1)
        fl.addLayout(base_row)
        self.final_table = QTableWidget()
        self.final_table.setObjectName("finalMetricsTable")
        fl.addWidget(self.final_table, 1)
        self.bars_plot = plots.make_plot()
        self.bars_plot.setObjectName("finalMetricsBars")
        self.bars_plot.setMinimumHeight(200)
        fl.addWidget(self.bars_plot, 1)
        self.tabs.addTab(final, "Final metrics")

        # -- params
        params = QWidget()
        pl = QVBoxLayout(params)
        self.only_diff = QCheckBox("Only differences")
        self.only_diff.setObjectName("onlyDifferences")
        self.only_diff.setChecked(True)
        self.only_diff.toggled.connect(self._fill_params)
        pl.addWidget(self.only_diff)
        self.params_table = QTableWidget()
        self.params_table.setObjectName("paramsTable")
        pl.addWidget(self.params_table, 1)
        self.tabs.addTab(params, "Params")

    # -- API --------------------------------------------------------------------------------
    def set_context(self, gateway: Any, cache: Any, online: bool) -> None:
        self.gateway, self.cache, self.online = gateway, cache, online

    def compare(self, model_name: str, selected: list[Any], all_rows: list[Any]) -> None:
        """`selected` / `all_rows` are VersionRow-like objects (.version, .run)."""
        self.model_name = model_name
        self.selected = [Compared(r.version, r.run) for r in selected]
        self.all_versions = [Compared(r.version, r.run) for r in all_rows]
        self.histories = {}
        labels = ", ".join(c.label for c in self.selected)
        self.title.setText(f"<b>{model_name}</b>: {labels}" if self.selected
                           else "Select two or more versions and press Compare (Ctrl+M).")
        keys = compare.metric_keys(self.selected or self.all_versions)
        current = self.metric_combo.currentText()
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        self.metric_combo.addItems(keys)
        if current in keys:
            self.metric_combo.setCurrentText(current)
        else:
            self.metric_combo.setCurrentText(compare.default_history_metric(keys))
        self.metric_combo.blockSignals(False)
        self.baseline.blockSignals(True)
        self.baseline.clear()
        for c in self.selected:
            self.baseline.addItem(c.label, c.version.version)
        self.baseline.blockSignals(False)
        self._fill_final()
        self._fill_params()
        self._metric_changed(self.metric_combo.currentText())

    # -- histories ------------------------------------------------------------------------
    def _metric_changed(self, key: str) -> None:
        self.redraw()
        if not key or self.gateway is None or self.cache is None:
            return
        runs = [c.run.run_id for c in self.selected if c.run]
        if not runs:
            return
        self._load([key])

    def _load(self, keys: list[str]) -> None:
        runs = [c.run.run_id for c in self.selected if c.run]
        if not runs or not keys or self.gateway is None or self.cache is None:
            return
        gateway, cache, online = self.gateway, self.cache, self.online
        self.history_note.setText("Loading histories…")
        self.runner.submit(
            lambda ctx: load_histories(gateway, cache, runs, keys, online, ctx),
            key="histories", description="load metric histories",
            on_result=self._on_histories, on_error=self._on_error,
        )

    def _on_histories(self, histories: Histories) -> None:
        self.histories.update(histories)
        self.history_note.setText("")
        self.redraw()

    def _on_error(self, error: ModelHubError) -> None:
        self.history_note.setText(f"Could not load histories: {error}")
        self.statusMessage.emit(str(error))

    def redraw(self) -> None:
        self._drawing = True
        try:
            if self.multiples.isChecked():
                self._draw_multiples()
            else:
                self._draw_history()
            self._draw_across()
        finally:
            self._drawing = False

    def history_keys(self) -> list[str]:
        return [self.metric_combo.itemText(i) for i in range(self.metric_combo.count())]

    def _multiples_toggled(self, on: bool) -> None:
        self.history_plot.setVisible(not on)
        self.grid.setVisible(on)
        if on:
            self._load([k for k in self.history_keys()][:MAX_MULTIPLES])
        self.redraw()

    def _draw_multiples(self) -> None:
        """One small plot per metric (the first few), all versions in each."""
        self.grid.clear()
        x_axis = self.x_axis.currentData() or "step"
        _bg, fg = plots.theme_colors()
        for n, key in enumerate(self.history_keys()[:MAX_MULTIPLES]):
            item = self.grid.addPlot(row=n // 3, col=n % 3, title=key)
            item.setDownsampling(auto=True, mode="peak")
            item.setClipToView(True)
            item.setLogMode(y=self.log_y.isChecked())
            item.showGrid(x=True, y=True, alpha=0.2)
            for i, c in enumerate(self.selected):
                points = self.histories.get((c.run.run_id, key)) if c.run else None
                if not points:
                    continue
                xs, ys = compare.xy(points, x_axis)
                ys = compare.smooth(ys, self.smoothing.value() / 100)
                color, _dash = series_style(i)
                item.plot(xs, [y if math.isfinite(y) else math.nan for y in ys],
                          pen=pg.mkPen(color, width=1.5), connect="finite")

    def _on_zoom(self, *_: object) -> None:
        if not self._drawing and not self.multiples.isChecked():
            self._zoom_timer.start()

    def _fetch_zoomed(self) -> None:
        """Sampled histories (2,500 points per run) are refetched for the visible steps."""
        key = self.metric_combo.currentText()
        if (self.gateway is None or not self.online or (self.x_axis.currentData() or "step")
                != "step"):
            return
        sampled = [c.run.run_id for c in self.selected if c.run and len(
            self.histories.get((c.run.run_id, key), [])) >= MAX_POINTS_PER_RUN]
        if not sampled:
            return
        lo, hi = self.history_plot.getPlotItem().vb.viewRange()[0]
        steps = (max(0, int(lo)), max(0, int(hi) + 1))
        gateway = self.gateway
        self.runner.submit(
            lambda ctx: fetch_histories(gateway, sampled, [key], ctx, steps=steps),
            key="zoom", description="full-resolution history",
            on_result=self._on_zoomed, on_error=self._on_error,
        )

    def _on_zoomed(self, detail: Histories) -> None:
        """Splice the full-resolution window into each sampled history, keep the view."""
        for (rid, key), points in detail.items():
            if not points:
                continue
            lo, hi = points[0].step, points[-1].step
            old = self.histories.get((rid, key), [])
            self.histories[(rid, key)] = ([p for p in old if p.step < lo] + points
                                          + [p for p in old if p.step > hi])
        view = self.history_plot.getPlotItem().vb
        x_range, y_range = view.viewRange()
        self.redraw()
        view.setRange(xRange=x_range, yRange=y_range, padding=0)

    def _draw_history(self) -> None:
        plot = self.history_plot
        plot.clear()
        key = self.metric_combo.currentText()
        x_axis = self.x_axis.currentData() or "step"
        plot.getPlotItem().setLogMode(y=self.log_y.isChecked())
        plot.getPlotItem().setLabel("bottom", dict(X_AXES)[x_axis])
        plot.getPlotItem().setLabel("left", key)
        weight = self.smoothing.value() / 100
        notes: list[str] = []
        self.history_hover.series = []
        self.history_hover.x_label = dict(X_AXES)[x_axis]
        for i, c in enumerate(self.selected):
            if c.run is None:
                notes.append(f"{c.label}: no run (registered from a path, or run deleted)")
                continue
            points = self.histories.get((c.run.run_id, key))
            if points is None:
                continue
            if not points:
                notes.append(f"{c.label}: did not log {key}")
                continue
            xs, ys = compare.xy(points, x_axis)
            ys = compare.smooth(ys, weight)
            if self.log_y.isChecked():
                ys = [y if y > 0 else math.nan for y in ys]
            bad = sum(1 for y in ys if not math.isfinite(y))
            if bad:
                notes.append(f"{c.label}: {bad} NaN/inf/non-positive points not drawn")
            plots.add_series(plot, i, c.label, xs, ys)
            self.history_hover.series.append((c.label, np.asarray(xs), np.asarray(ys)))
        if not self.selected:
            notes.append("Nothing selected.")
        self.history_note.setText("; ".join(notes))

    def _draw_across(self) -> None:
        plot = self.across_plot
        plot.clear()
        key = self.metric_combo.currentText()
        plot.getPlotItem().setLabel("bottom", "version")
        plot.getPlotItem().setLabel("left", f"{key} (latest)")
        pts = sorted((c.version.version, c.run.metrics[key], c) for c in self.all_versions
                     if c.run and key in c.run.metrics and math.isfinite(c.run.metrics[key]))
        if not pts:
            return
        xs = [float(v) for v, _, _ in pts]
        if len(pts) <= 30:
            plot.getPlotItem().getAxis("bottom").setTickSpacing(5, 1)
        ys = [y for _, y, _ in pts]
        color, _ = series_style(0)
        plot.plot(xs, ys, pen={"color": color, "width": 2}, symbol="o", symbolBrush=color,
                  name=key)
        self.across_hover.series = [(key, np.asarray(xs), np.asarray(ys))]
        chosen = {c.version.version for c in self.selected}
        for v, y, c in pts:
            if c.version.aliases:
                plots.mark(plot, v, y, " ".join(f"@{a}" for a in c.version.aliases), "#D55E00")
            if v in chosen:
                plot.plot([v], [y], pen=None, symbol="s", symbolSize=12,
                          symbolBrush=None, symbolPen={"color": "#E69F00", "width": 2})

    # -- tables ---------------------------------------------------------------------------
    def _fill_final(self) -> None:
        items = self.selected
        keys = compare.metric_keys(items)
        best = compare.best_values(items, keys)
        base_version = self.baseline.currentData()
        baseline = next((c for c in items if c.version.version == base_version), None)
        t = self.final_table
        t.clear()
        t.setRowCount(len(keys))
        cols = [c.label for c in items] + ([f"Δ vs {baseline.label}"] * len(items)
                                           if baseline else [])
        t.setColumnCount(len(cols))
        t.setHorizontalHeaderLabels(cols)
        t.setVerticalHeaderLabels(keys)
        bold = QFont()
        bold.setBold(True)
        for r, key in enumerate(keys):
            diffs = compare.diff_to_baseline(items, baseline, key) if baseline else {}
            for col, c in enumerate(items):
                value = c.run.metrics.get(key) if c.run else None
                cell = _item(fmt_metric(value), align_right=True)
                if value is not None and key in best and value == best[key]:
                    cell.setBackground(BEST)
                    cell.setFont(bold)
                t.setItem(r, col, cell)
                if baseline:
                    d = diffs.get(c.version.version)
                    text = "" if d is None else (f"{d:+.4g}" if d else "0")
                    t.setItem(r, len(items) + col, _item(text, align_right=True))
        t.resizeColumnsToContents()
        self._draw_bars(items, keys)

    def _draw_bars(self, items: list[Compared], keys: list[str]) -> None:
        """Grouped bars: one group per metric, one bar per version (finite values only)."""
        plot = self.bars_plot
        plot.clear()
        n = max(len(items), 1)
        width = 0.8 / n
        for i, c in enumerate(items):
            xs, heights = [], []
            for k, key in enumerate(keys):
                value = c.run.metrics.get(key) if c.run else None
                if value is not None and math.isfinite(value):
                    xs.append(k - 0.4 + width * (i + 0.5))
                    heights.append(value)
            color, _ = series_style(i)
            if xs:
                plot.addItem(pg.BarGraphItem(x=xs, height=heights, width=width * 0.9,
                                             brush=color, pen=color, name=c.label))
                plot.getPlotItem().legend.addItem(
                    pg.BarGraphItem(x=[0], height=[0], width=0, brush=color), c.label)
        plot.getPlotItem().getAxis("bottom").setTicks([list(enumerate(keys))])

    def _fill_params(self) -> None:
        rows = compare.param_table(self.selected, self.only_diff.isChecked())
        t = self.params_table
        t.clear()
        t.setRowCount(len(rows))
        t.setColumnCount(len(self.selected))
        t.setHorizontalHeaderLabels([c.label for c in self.selected])
        t.setVerticalHeaderLabels([k for k, _ in rows])
        for r, (_, values) in enumerate(rows):
            for col, value in enumerate(values):
                t.setItem(r, col, _item(value))
        t.resizeColumnsToContents()

    # -- export ---------------------------------------------------------------------------
    def current_plot(self) -> Any:
        return self.across_plot if self.tabs.currentIndex() == 1 else self.history_plot

    def export_png(self, path: Path) -> Path:
        return plots.export_png(self.current_plot(), path)

    def export_svg(self, path: Path) -> Path:
        return plots.export_svg(self.current_plot(), path)

    def export_csv(self, path: Path) -> Path:
        """Final-metrics tab: the table; otherwise the chart's data (long format)."""
        if self.tabs.currentIndex() == 2:
            compare.write_final_metrics_csv(path, self.selected,
                                            compare.metric_keys(self.selected))
            return path
        key = self.metric_combo.currentText()
        series = {c.label: self.histories.get((c.run.run_id, key), [])
                  for c in self.selected if c.run}
        compare.write_histories_csv(path, series)
        return path

    def _ask(self, what: str, pattern: str) -> Path | None:
        name = f"{self.model_name or 'compare'}-{self.metric_combo.currentText() or 'chart'}"
        path, _ = QFileDialog.getSaveFileName(self, f"Export {what}",
                                              f"{name}.{pattern}", f"{what} (*.{pattern})")
        return Path(path) if path else None

    def _export_png(self) -> None:
        if (p := self._ask("PNG image", "png")) is not None:
            self.export_png(p)

    def _export_svg(self) -> None:
        if (p := self._ask("SVG image", "svg")) is not None:
            self.export_svg(p)

    def _export_csv(self) -> None:
        if (p := self._ask("CSV file", "csv")) is not None:
            self.export_csv(p)
