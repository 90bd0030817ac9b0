"""The `compareView`: chosen versions side by side on charts and tables.

Tabs: metric history (one curve per version; step, wall or relative time; smoothing;
log scale; small multiples), one metric across all versions of the model (alias holders
marked), final metrics (table with best values and differences to a baseline, grouped
bars) and params side by side.

Histories come from the cache first and from MLflow's bulk endpoints otherwise, on the
task runner (never on the UI thread); curves appear as chunks arrive. Long histories
arrive sampled (2,500 points per run); zooming in on the step axis fetches the visible
window at full resolution. Anything that cannot be drawn is explained under the chart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import (
    QEvent,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core import compare
from modelhub_desktop.core.chart_data import (
    ArraysContext,
    PointsView,
    history_chart_notes,
    splice_window,
)
from modelhub_desktop.core.compare import Compared
from modelhub_desktop.core.domain import MetricPoint
from modelhub_desktop.core.errors import Cancelled, ModelHubError
from modelhub_desktop.core.histories import (
    MAX_POINTS_PER_RUN,
    fetch_histories,
    load_histories,
)
from modelhub_desktop.ui.charts import across, bars, hover, plots
from modelhub_desktop.ui.charts.curve_builder import CurveBuilder, CurveSpec
from modelhub_desktop.ui.models.grid_model import GridModel
from modelhub_desktop.ui.views import compare_tables
from modelhub_desktop.ui.views.compare_export import (
    ACROSS_TAB,
    FINAL_TAB,
    PARAMS_TAB,
    CompareExports,
)

#: Small multiples shown at most (3 x 3).
MAX_MULTIPLES = 9
#: Metrics drawn as grouped bars at most (their names must fit under the bars).
MAX_BAR_METRICS = 12
EMPTY_TEXT = ("Select two or more versions in the version table and press Compare "
              "(Ctrl+M) to see their metric histories, final metrics and params side by side.")


def _alive(obj: Any) -> bool:
    import shiboken6

    return bool(shiboken6.isValid(obj))


def _table(name: str, model: GridModel) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.horizontalHeader().setStretchLastSection(False)
    return view


def _note_label(name: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class CompareView(CompareExports, QWidget):
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
        #: Loaded histories as arrays: the view keeps no per-point Python objects.
        self._data: dict[tuple[str, str], compare.HistoryArrays] = {}
        self.directions: dict[str, str] = {}
        self.multiple_keys: list[str] = []
        self._pending: dict[str, set[tuple[str, str]]] = {}
        self._sampled: set[tuple[str, str]] = set()
        self._full_windows: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self._drawing = False
        self._retheming = False
        self._stale: set[int] = set()  # tabs whose chart changed while hidden
        self.theme = plots.current_theme()
        self._build()

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.title = QLabel("")
        self.title.setObjectName("compareTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Metric:"))
        self.metric_combo = QComboBox()
        self.metric_combo.setObjectName("compareMetric")
        self.metric_combo.setMinimumWidth(180)
        self.metric_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.metric_combo.currentTextChanged.connect(self._metric_changed)
        top.addWidget(self.metric_combo)
        self.export_buttons: dict[str, QPushButton] = {}
        for kind, slot in (("PNG", self._export_png), ("SVG", self._export_svg),
                           ("CSV", self._export_csv)):
            b = QPushButton(f"Export {kind}…")
            b.setObjectName(f"export{kind}Button")
            b.clicked.connect(slot)
            top.addWidget(b)
            self.export_buttons[kind] = b
        layout.addLayout(top)

        self.stack = QStackedWidget()
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("compareEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("compareTabs")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.stack.addWidget(self.tabs)
        layout.addWidget(self.stack, 1)

        self.tabs.addTab(self._build_history(), "Metric history")
        self.tabs.addTab(self._build_across(), "Across versions")
        self.tabs.addTab(self._build_final(), "Final metrics")
        self.tabs.addTab(self._build_params(), "Params")

        self._curve_items: dict[int, tuple[Any, str]] = {}
        self._multi: list[tuple[str, tuple[Any, dict[int, tuple[Any, str]]]]] = []
        self.curves = CurveBuilder(self)
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(30)
        self._redraw_timer.timeout.connect(self._draw_history)
        # zooming in asks the server for the visible steps at full resolution
        self._zoom_timer = QTimer(self)
        self._zoom_timer.setSingleShot(True)
        self._zoom_timer.setInterval(350)
        self._zoom_timer.timeout.connect(self._fetch_zoomed)
        self._show_empty(True)
        self._tab_changed(0)

    def _build_history(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        opts = QHBoxLayout()
        opts.addWidget(QLabel("X axis:"))
        self.x_axis = QComboBox()
        self.x_axis.setObjectName("historyXAxis")
        for key, label in compare.X_AXES.items():
            self.x_axis.addItem(label, key)
        self.x_axis.currentIndexChanged.connect(self._restyle_history)
        opts.addWidget(self.x_axis)
        self.log_y = QCheckBox("Log scale")
        self.log_y.setObjectName("historyLogScale")
        self.log_y.toggled.connect(self._restyle_history)
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
        self.history_stack = QStackedWidget()
        self.history_plot = plots.make_plot(self.theme)
        self.history_plot.setObjectName("historyPlot")
        self.history_hover = hover.HoverReadout(self.history_plot)
        self.history_plot.getPlotItem().sigXRangeChanged.connect(self._on_zoom)
        self.history_stack.addWidget(self.history_plot)
        self.grid = pg.GraphicsLayoutWidget()
        self.grid.setObjectName("smallMultiplesGrid")
        self.grid.setBackground(self.theme.background)
        self.grid_hover = hover.HoverReadout(self.grid)
        self.history_stack.addWidget(self.grid)
        v.addWidget(self.history_stack, 1)
        self.history_note = _note_label("historyNote")
        v.addWidget(self.history_note)
        return page

    def _build_across(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        opts = QHBoxLayout()
        opts.addWidget(QLabel("Against:"))
        self.across_x = QComboBox()
        self.across_x.setObjectName("acrossXAxis")
        self.across_x.addItem("Version number", "version")
        self.across_x.addItem("Registration time", "registered")
        self.across_x.currentIndexChanged.connect(self._draw_across)
        opts.addWidget(self.across_x)
        opts.addWidget(QLabel("Latest value of the metric for every version of the model; "
                              "compared versions are outlined, alias holders starred."))
        opts.addStretch(1)
        v.addLayout(opts)
        self.across_plot = plots.make_plot(self.theme)
        self.across_plot.setObjectName("acrossPlot")
        self.across_hover = hover.HoverReadout(self.across_plot)
        v.addWidget(self.across_plot, 1)
        self.across_note = _note_label("acrossNote")
        v.addWidget(self.across_note)
        return page

    def _build_final(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        opts = QHBoxLayout()
        opts.addWidget(QLabel("Baseline:"))
        self.baseline = QComboBox()
        self.baseline.setObjectName("baselineCombo")
        self.baseline.currentIndexChanged.connect(self._baseline_changed)
        opts.addWidget(self.baseline)
        hint = QLabel("Best value per metric in bold; right-click a metric to choose whether "
                      "higher or lower is better.")
        opts.addWidget(hint)
        opts.addStretch(1)
        v.addLayout(opts)
        split = QSplitter(Qt.Orientation.Vertical)
        self.final_model = GridModel(self)
        self.final_table = _table("finalMetricsTable", self.final_model)
        self.final_table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.final_table.customContextMenuRequested.connect(self._final_menu)
        vh = self.final_table.verticalHeader()
        vh.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        vh.customContextMenuRequested.connect(self._final_header_menu)
        split.addWidget(self.final_table)
        self.bars_plot = plots.make_plot(self.theme)
        self.bars_plot.setObjectName("finalMetricsBars")
        self.bars_plot.setMinimumHeight(180)
        self.bars_hover = hover.HoverReadout(self.bars_plot)
        split.addWidget(self.bars_plot)
        split.setSizes([220, 320])
        v.addWidget(split, 1)
        self.final_note = _note_label("finalNote")
        v.addWidget(self.final_note)
        return page

    def _build_params(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        self.only_diff = QCheckBox("Only differences")
        self.only_diff.setObjectName("onlyDifferences")
        self.only_diff.setChecked(True)
        self.only_diff.toggled.connect(self._fill_params)
        v.addWidget(self.only_diff)
        self.params_model = GridModel(self)
        self.params_table = _table("paramsTable", self.params_model)
        v.addWidget(self.params_table, 1)
        self.params_note = _note_label("paramsNote")
        v.addWidget(self.params_note)
        return page

    # -- public API ------------------------------------------------------------------------------
    def set_context(self, gateway: Any, cache: Any, online: bool) -> None:
        """Where histories come from: the cache, and (when `online`) the gateway."""
        if cache is not self.cache or gateway is not self.gateway:
            self._data.clear()
            self._sampled.clear()
            self._full_windows.clear()
            self._pending.clear()
        self.gateway, self.cache, self.online = gateway, cache, bool(online)

    def compare(self, model_name: str, selected: list[Any], all_rows: list[Any]) -> None:
        """Show `selected` (VersionRow-like: `.version`, `.run`) against `all_rows`, all
        versions of `model_name` (for the across-versions chart)."""
        self.model_name = model_name
        self.selected = compare.compared(selected)
        by_version = {c.version.version: c for c in compare.compared(all_rows)}
        for c in self.selected:
            by_version.setdefault(c.version.version, c)
        self.all_versions = sorted(by_version.values(), key=lambda c: c.version.version)
        running = {c.run.run_id for c in self.selected if c.run and c.run.status == "RUNNING"}
        for pair in [p for p in self._data if p[0] in running]:
            self._data.pop(pair, None)
        self._show_empty(not self.selected)
        labels = ", ".join(c.label for c in self.selected[:12])
        more = f" and {len(self.selected) - 12} more" if len(self.selected) > 12 else ""
        self.title.setText(f"<b>{_html(model_name)}</b>: {_html(labels)}{more}"
                           if self.selected else "")

        selected_keys = compare.metric_keys(self.selected)
        keys = sorted(set(selected_keys) | set(compare.metric_keys(self.all_versions)),
                      key=lambda k: (k.casefold(), k))
        current = self.metric_combo.currentText()
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        self.metric_combo.addItems(keys)
        chosen = current if current in selected_keys else compare.default_history_metric(
            selected_keys or keys)
        self.metric_combo.setCurrentText(chosen)
        self.metric_combo.blockSignals(False)
        self.multiple_keys = [k for k in self.multiple_keys if k in selected_keys] or \
            compare.default_multiples(selected_keys)
        self._fill_multiples_menu(selected_keys)

        self.baseline.blockSignals(True)
        self.baseline.clear()
        for c in self.selected:
            self.baseline.addItem(c.label, c.version.version)
        champion = next((i for i, c in enumerate(self.selected)
                         if "champion" in c.version.aliases), 0)
        self.baseline.setCurrentIndex(champion if self.selected else -1)
        self.baseline.blockSignals(False)
        self._fill_final()
        self._fill_params()
        self._metric_changed(self.metric_combo.currentText())

    # -- options remembered between launches -----------------------------------------------------
    def save_options(self, settings: Any) -> None:
        """Chart options (axis, scale, smoothing, small multiples, directions) to `settings`."""
        settings.setValue("compare/xAxis", self._x_mode())
        settings.setValue("compare/logScale", self.log_y.isChecked())
        settings.setValue("compare/smoothing", self.smoothing.value())
        settings.setValue("compare/smallMultiples", self.multiples.isChecked())
        settings.setValue("compare/acrossAxis", str(self.across_x.currentData() or "version"))
        settings.setValue("compare/onlyDifferences", self.only_diff.isChecked())
        settings.setValue("compare/tab", self.tabs.currentIndex())

    def restore_options(self, settings: Any) -> None:
        """The options `save_options` wrote; anything missing or odd keeps its default."""
        def flag(key: str, default: bool) -> bool:
            value = settings.value(key, default)
            return value in (True, "true", "1", 1) if value is not None else default

        def number(key: str, default: int, lo: int, hi: int) -> int:
            try:
                return min(max(int(settings.value(key, default)), lo), hi)
            except (TypeError, ValueError):
                return default

        for combo, key in ((self.x_axis, "compare/xAxis"), (self.across_x, "compare/acrossAxis")):
            index = combo.findData(settings.value(key, ""))
            if index >= 0:
                combo.setCurrentIndex(index)
        self.log_y.setChecked(flag("compare/logScale", False))
        self.smoothing.setValue(number("compare/smoothing", 0, 0, 99))
        self.multiples.setChecked(flag("compare/smallMultiples", False))
        self.only_diff.setChecked(flag("compare/onlyDifferences", True))
        self.tabs.setCurrentIndex(number("compare/tab", 0, 0, self.tabs.count() - 1))

    def current_metric(self) -> str:
        return self.metric_combo.currentText()

    def set_metric(self, key: str) -> None:
        self.metric_combo.setCurrentText(key)

    def set_multiple_metrics(self, keys: Sequence[str]) -> None:
        """Metrics of the small multiples (the first MAX_MULTIPLES)."""
        self.multiple_keys = list(dict.fromkeys(keys))[:MAX_MULTIPLES]
        for action in self.multiples_menu.actions():
            action.blockSignals(True)
            action.setChecked(action.text() in self.multiple_keys)
            action.blockSignals(False)
        if self.multiples.isChecked():
            self._request(self.multiple_keys, "compare-multiples")
            self._draw_history()

    def set_direction(self, key: str, direction: str) -> None:
        """Whether the best value of `key` is its "min" or its "max"."""
        self.directions[key] = direction
        self._fill_final()

    # -- loading histories -----------------------------------------------------------------------
    def _runs(self) -> list[str]:
        return [c.run.run_id for c in self.selected if c.run]

    def _pending_pairs(self) -> set[tuple[str, str]]:
        return set().union(*self._pending.values()) if self._pending else set()

    def _request(self, keys: Sequence[str], task_key: str) -> None:
        """Load what is not loaded yet of `keys` x the selected runs (cache, then server)."""
        if self.cache is None or (self.gateway is None and self.online):
            return
        pairs = {(r, k) for r in self._runs() for k in keys if k} - self._data.keys()
        if not pairs:
            return
        runs = sorted({r for r, _ in pairs})
        metric_keys = sorted({k for _, k in pairs})
        refresh = {c.run.run_id for c in self.selected if c.run and c.run.status == "RUNNING"}
        gateway, cache, online = self.gateway, self.cache, self.online
        self._pending[task_key] = pairs
        what = f"{', '.join(metric_keys)} of {len(runs)} run{'s' if len(runs) != 1 else ''}"
        # the baseline and the next version come first: a comparison shows early
        base = self._baseline_index()
        order = ([self.selected[base]] if base is not None else []) + self.selected
        first = list(dict.fromkeys(c.run.run_id for c in order if c.run))[:2]
        ordered_keys = [k for k in keys if k in metric_keys]

        def task(ctx: Any) -> int:
            # everything reaches the view as partial results (arrays, built here)
            got = load_histories(gateway, cache, runs, ordered_keys, ArraysContext(ctx),
                                 online, refresh=refresh, first=first)
            return len(got)

        self.runner.submit(
            task, key=task_key, description=f"load histories: {what}",
            on_partial=self._partial,
            on_progress=lambda d, t, m: (self.statusMessage.emit(f"Loading {m} ({d}/{t})")
                                         if _alive(self) else None),
            on_result=lambda _n, k=task_key, w=what: self._loaded(k, w),
            on_error=lambda e, k=task_key: self._load_failed(k, e),
        )
        self._update_history_note()

    def _merge(self, arrays: dict[tuple[str, str], compare.HistoryArrays]) -> bool:
        """Take in loaded histories; whether anything changed (a redraw is due)."""
        for pair, h in arrays.items():
            self._data[pair] = h
            if len(h) >= MAX_POINTS_PER_RUN:
                self._sampled.add(pair)
            else:
                self._sampled.discard(pair)
        return bool(arrays)

    def _arr(self, pair: tuple[str, str]) -> compare.HistoryArrays | None:
        """A loaded, non-empty history."""
        h = self._data.get(pair)
        return h if h is not None and len(h) else None

    @property
    def histories(self) -> Mapping[tuple[str, str], list[MetricPoint]]:
        """Loaded histories as MetricPoint lists (built on access; for export and tests)."""
        return PointsView(self._data)

    def _partial(self, arrays: dict[tuple[str, str], compare.HistoryArrays]) -> None:
        if _alive(self) and self._merge(arrays):
            self._redraw_timer.start()

    def _loaded(self, task_key: str, what: str) -> None:
        if not _alive(self):
            return
        self._pending.pop(task_key, None)
        self._update_history_note()
        self.statusMessage.emit(f"Metric histories ready: {what}")

    def _load_failed(self, task_key: str, error: ModelHubError) -> None:
        if not _alive(self):
            return
        self._pending.pop(task_key, None)
        if isinstance(error, Cancelled):
            self._update_history_note()
            return
        self.statusMessage.emit(f"Could not load metric histories: {error}")
        self._draw_history()
        self.history_note.setText(f"Could not load metric histories: {error}\n"
                                  + self.history_note.text())

    # -- metric history --------------------------------------------------------------------------
    def _metric_changed(self, key: str) -> None:
        self.history_plot.getPlotItem().enableAutoRange()
        self._draw_history()
        self._draw_across()
        if key:
            self._request([key], "compare-histories")
        if self.multiples.isChecked():
            self._request(self.multiple_keys, "compare-multiples")

    def _restyle_history(self, *_: object) -> None:
        self.history_plot.getPlotItem().enableAutoRange()
        self._draw_history()

    def _smoothing_changed(self, value: int) -> None:
        self.smoothing_label.setText(f"{value / 100:.2f}" if value else "off")
        self._draw_history()

    def _multiples_toggled(self, on: bool) -> None:
        self.history_stack.setCurrentIndex(1 if on else 0)
        self.multiples_button.setEnabled(on)
        if on:
            self._request(self.multiple_keys, "compare-multiples")
        self._draw_history()

    def _fill_multiples_menu(self, keys: Sequence[str]) -> None:
        self.multiples_menu.clear()
        for key in keys:
            action = QAction(key, self.multiples_menu)
            action.setCheckable(True)
            action.setChecked(key in self.multiple_keys)
            action.toggled.connect(self._multiples_menu_changed)
            self.multiples_menu.addAction(action)

    def _multiples_menu_changed(self, _checked: bool) -> None:
        keys = [a.text() for a in self.multiples_menu.actions() if a.isChecked()]
        if len(keys) > MAX_MULTIPLES:
            self.statusMessage.emit(f"Small multiples show the first {MAX_MULTIPLES} metrics.")
        self.set_multiple_metrics(keys)

    def _weight(self) -> float:
        return self.smoothing.value() / 100

    def _x_mode(self) -> str:
        return str(self.x_axis.currentData() or "step")

    def _prepared(self, key: str, x_mode: str) -> tuple[list[tuple[int, Compared,
                                                              compare.SeriesData]], str, float]:
        """Curves of `key` for the selected versions, x scaled; with the axis title."""
        out = []
        for i, c in enumerate(self.selected):
            arrays = self._arr((c.run.run_id, key)) if c.run else None
            if arrays is not None:
                out.append((i, c, compare.series(arrays, x_mode, self._weight(),
                                                 self.log_y.isChecked())))
        title, scale = compare.X_AXES.get(x_mode, "Step"), 1.0
        if x_mode == "relative":
            span = max((float(s.xs.max()) for _, _, s in out if len(s.xs)), default=0.0)
            unit, scale = compare.time_unit(span)
            title = f"Relative time ({unit})"
        return out, title, scale

    def _draw_history(self) -> None:
        if not _alive(self):
            return
        self._drawing = True
        try:
            if self.multiples.isChecked():
                self._draw_multiples()
            else:
                self._draw_single()
        finally:
            self._drawing = False
        self._update_history_note()

    def _plot_curves(self, item: pg.PlotItem, target: Any, key: str,
                     legend: bool = True) -> list[CurveSpec]:
        """Axes of `item` for the current options; the curves of `key` to draw in it."""
        x_mode = self._x_mode()
        plots.set_x_axis(item, x_mode == "wall", self.theme)
        item.setLogMode(y=self.log_y.isChecked())
        curves, x_title, scale = self._prepared(key, x_mode)
        item.setLabel("bottom", x_title, color=self.theme.foreground)
        target.x_label = x_title.split(" (")[0].lower()
        target.x_format = plots.fmt_time if x_mode == "wall" else plots.fmt_number
        target.log_y = self.log_y.isChecked()
        # wide lines cost the raster engine several times more: thin ones for many curves
        width = 2.0 if legend and len(curves) <= 6 else 1.0
        return [CurveSpec(c.version.version, i, c.label, s.xs / scale if scale != 1.0 else s.xs,
                          s.ys, s.raw, width) for i, c, s in curves]

    def _draw_single(self) -> None:
        """The main chart."""
        item = self.history_plot.getPlotItem()
        self.history_hover.clear()
        key = self.current_metric()
        target = self.history_hover.target(item)
        specs = self._plot_curves(item, target, key)
        weight = self._weight()
        item.setLabel("left", (f"{key} (smoothed {weight:.2f})" if weight else key) or "",
                      color=self.theme.foreground)
        self.curves.stop()
        self.curves.sync(item, self._curve_items, target, specs, named=True,
                         dark=self.theme.dark)
        self.curves.start()

    def curves_pending(self) -> bool:
        """Whether curves are still being added to the charts."""
        return self.curves.pending()

    def _draw_multiples(self) -> None:
        """One small chart per chosen metric; the grid is rebuilt only when the metrics
        change, curves are reused like the main chart's."""
        keys = (self.multiple_keys or [k for k in [self.current_metric()] if k])[:MAX_MULTIPLES]
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
            specs = self._plot_curves(item, target, key, legend=n == 0)
            self.curves.sync(item, curves, target, specs, named=n == 0, dark=self.theme.dark)
        self.curves.start()

    def _update_history_note(self) -> None:
        if not _alive(self):
            return
        if not self.selected:
            self.history_note.setText("")
            return
        keys = (self.multiple_keys if self.multiples.isChecked() else [self.current_metric()])
        keys = [k for k in keys if k]
        if not keys:
            self.history_note.setText("No metrics to chart: " + "; ".join(
                f"{c.label}: {c.no_run_reason or 'logged no metrics'}" for c in self.selected))
            return
        notes = history_chart_notes(
            self.selected, self._data, keys, self._pending_pairs(), self._sampled,
            online=self.online, has_source=self.online or self.cache is None,
            log_y=self.log_y.isChecked())
        self.history_note.setText("\n".join(notes))

    # -- zoom: full resolution for the visible steps ---------------------------------------------
    def _on_zoom(self, *_: object) -> None:
        if not (self._drawing or self.curves.adding) and not self.multiples.isChecked():
            self._zoom_timer.start()

    def _fetch_zoomed(self) -> None:
        if (self.gateway is None or not self.online or self._x_mode() != "step"
                or not _alive(self)):
            return
        key = self.current_metric()
        lo, hi = self.history_plot.getPlotItem().vb.viewRange()[0]
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return
        runs, spans = [], []
        for rid in self._runs():
            pair = (rid, key)
            h = self._arr(pair)
            if pair not in self._sampled or h is None:
                continue
            first, last = int(h.steps[0]), int(h.steps[-1])
            a, b = max(math.floor(lo), first), min(math.ceil(hi), last)
            if a > b or (b - a) >= 0.9 * (last - first):
                continue  # not visible, or (nearly) everything: sampling is what fits
            if any(x <= a and b <= y for x, y in self._full_windows.get(pair, [])):
                continue
            runs.append(rid)
            spans.append((a, b))
        if not runs:
            return
        window = (min(a for a, _ in spans), max(b for _, b in spans))
        gateway = self.gateway
        old = {(rid, key): self._data[(rid, key)] for rid in runs}
        self.statusMessage.emit(f"Loading steps {window[0]}–{window[1]} of {key} "
                                "at full resolution…")

        def task(ctx: Any) -> Any:
            detail = fetch_histories(gateway, runs, [key], ctx, steps=window)
            return splice_window(old, detail, window)

        self.runner.submit(
            task, key="compare-zoom", description="full-resolution history window",
            on_result=lambda r: self._on_zoomed(r, window),
            on_error=lambda e: (self.statusMessage.emit(f"Full resolution not loaded: {e}")
                                if _alive(self) and not isinstance(e, Cancelled) else None),
        )

    def _on_zoomed(self, spliced: dict[tuple[str, str], Any], window: tuple[int, int]) -> None:
        """Take in sampled histories with the window at full resolution; keep the view."""
        if not _alive(self):
            return
        a, b = window
        for pair, (old, arrays, complete) in spliced.items():
            if self._data.get(pair) is not old:
                continue  # reloaded meanwhile
            self._data[pair] = arrays
            if complete:
                self._full_windows.setdefault(pair, []).append(window)
        vb = self.history_plot.getPlotItem().vb
        x_range, y_range = vb.viewRange()
        self._draw_history()
        self._drawing = True
        try:
            vb.setRange(xRange=x_range, yRange=y_range, padding=0)
        finally:
            self._drawing = False
        self.statusMessage.emit(f"Full resolution for steps {a}–{b}")

    # -- across versions -------------------------------------------------------------------------
    def _draw_across(self, *_: object) -> None:
        """Redraw the across-versions chart now if its tab is showing, else when it shows."""
        self._stale.add(ACROSS_TAB)
        self._flush_if_showing()

    def _flush_if_showing(self) -> None:
        if self.stack.currentIndex() == 1:
            self._flush(self.tabs.currentIndex())

    def _flush(self, tab: int) -> None:
        """Draw a tab's chart if it changed while hidden (charts nobody sees cost nothing)."""
        if tab not in self._stale:
            return
        self._stale.discard(tab)
        if tab == ACROSS_TAB:
            self._paint_across()
        elif tab == FINAL_TAB:
            self._paint_bars(self.final_rows())

    def _paint_across(self) -> None:
        item = self.across_plot.getPlotItem()
        item.clear()
        if item.legend is not None:
            item.legend.clear()
        self.across_hover.clear()
        key = self.current_metric()
        x_mode = str(self.across_x.currentData() or "version")
        plots.set_x_axis(item, x_mode == "registered", self.theme)
        item.getAxis("bottom").setTicks(None)
        item.setLabel("bottom", "Registration time" if x_mode == "registered" else "Version",
                      color=self.theme.foreground)
        item.setLabel("left", f"{key} (latest)" if key else "", color=self.theme.foreground)
        if not key:
            self.across_note.setText("No metric to show: none of the versions has a run "
                                     "with metrics." if self.all_versions else "")
            return
        points, notes = compare.across_versions(self.all_versions, key, x_mode)
        self.across_note.setText("\n".join(notes))
        if not points:
            self.across_note.setText(f"No version has a finite value of {key}.\n"
                                     + "\n".join(notes))
            return
        index = {c.version.version: i for i, c in enumerate(self.selected)}
        across.draw(item, self.across_hover, points, index, key, x_mode, self.theme)

    # -- final metrics ---------------------------------------------------------------------------
    def _baseline_index(self) -> int | None:
        version = self.baseline.currentData()
        return next((i for i, c in enumerate(self.selected) if c.version.version == version),
                    None)

    def final_rows(self) -> list[compare.FinalRow]:
        return compare.final_metrics(self.selected, compare.metric_keys(self.selected),
                                     self._baseline_index(), self.directions)

    def _baseline_changed(self, *_: object) -> None:
        self._fill_final()
        self._fill_params()

    def _fill_final(self, *_: object) -> None:
        grid = compare_tables.final_metrics_grid(self.selected, self.final_rows(),
                                                 self._baseline_index(), self.theme.name)
        self.final_model.set_grid(grid.rows, grid.cols, grid.cells, grid.row_tips,
                                  grid.col_tips)
        self.final_table.resizeColumnsToContents()
        self.final_note.setText("\n".join(grid.notes))
        self._stale.add(FINAL_TAB)
        self._flush_if_showing()

    def _paint_bars(self, rows: list[compare.FinalRow]) -> None:
        shown = bars.draw(self.bars_plot.getPlotItem(), self.bars_hover, rows,
                          [c.label for c in self.selected], self.theme, MAX_BAR_METRICS)
        if len(rows) > shown:
            self.final_note.setText((self.final_note.text() + "\n").lstrip()
                                    + f"Bars show the first {shown} of {len(rows)} metrics.")

    def _final_menu(self, pos: QPoint) -> None:
        index = self.final_table.indexAt(pos)
        if index.isValid():
            self._direction_menu(index.row(), self.final_table.viewport().mapToGlobal(pos))

    def _final_header_menu(self, pos: QPoint) -> None:
        header = self.final_table.verticalHeader()
        row = header.logicalIndexAt(pos)
        if row >= 0:
            self._direction_menu(row, header.mapToGlobal(pos))

    def _direction_menu(self, row: int, global_pos: QPoint) -> None:
        rows = self.final_rows()
        if not 0 <= row < len(rows):
            return
        key, current = rows[row].key, rows[row].direction
        menu = QMenu(self)
        for direction, text in (("max", "Higher is better"), ("min", "Lower is better")):
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(direction == current)
            action.triggered.connect(lambda _=False, d=direction: self.set_direction(key, d))
        menu.exec(global_pos)

    # -- params ----------------------------------------------------------------------------------
    def _fill_params(self, *_: object) -> None:
        grid = compare_tables.params_grid(self.selected, self._baseline_index(),
                                          self.only_diff.isChecked())
        self.params_model.set_grid(grid.rows, grid.cols, grid.cells, grid.row_tips,
                                   grid.col_tips)
        self.params_table.resizeColumnsToContents()
        self.params_note.setText("\n".join(grid.notes))

    # -- empty state, tabs, theme ----------------------------------------------------------------
    def _show_empty(self, empty: bool) -> None:
        self.stack.setCurrentIndex(0 if empty else 1)
        for b in self.export_buttons.values():
            b.setEnabled(not empty)
        if not empty:
            self._tab_changed(self.tabs.currentIndex())

    def _tab_changed(self, index: int) -> None:
        self._flush(index)
        has_chart = index != PARAMS_TAB and bool(self.selected)
        self.export_buttons["PNG"].setEnabled(has_chart)
        self.export_buttons["SVG"].setEnabled(has_chart)
        self.export_buttons["CSV"].setEnabled(bool(self.selected))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.retheme()

    def retheme(self) -> None:
        """Follow the application palette (light or dark)."""
        theme = plots.current_theme()
        if theme == self.theme or self._retheming:
            return
        self._retheming = True
        try:
            self.theme = theme
            for w in (self.history_plot, self.across_plot, self.bars_plot):
                w.setBackground(theme.background)
                plots.style_plot(w.getPlotItem(), theme)
            self.grid.setBackground(theme.background)
            for _, (item, _curves) in self._multi:
                plots.style_plot(item, theme, legend=item.legend is not None)
                plots.set_title(item, item.titleLabel.text, theme)
            self._draw_history()
            self._draw_across()
            self._fill_final()
        finally:
            self._retheming = False


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
