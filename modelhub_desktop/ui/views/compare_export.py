"""Export from the compare view: the current tab's chart as PNG or SVG, its data as CSV.

A mixin of `CompareView`: it reads the view's tabs, charts and compared versions and
writes files through `charts.export` and the CSV writers of `core.compare`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtWidgets import QFileDialog

from modelhub_desktop.core import compare
from modelhub_desktop.ui.charts import export as chart_export
from modelhub_desktop.ui.charts import plots

#: The compare view's tabs, in order.
HISTORY_TAB, ACROSS_TAB, FINAL_TAB, PARAMS_TAB = range(4)


class CompareExports:
    """PNG/SVG/CSV export of whatever the current compare tab shows."""

    # provided by CompareView
    tabs: Any
    multiples: Any
    grid: Any
    history_plot: Any
    across_plot: Any
    bars_plot: Any
    only_diff: Any
    statusMessage: Any  # noqa: N815
    model_name: str
    selected: list[compare.Compared]
    all_versions: list[compare.Compared]
    multiple_keys: list[str]
    directions: dict[str, str]
    theme: plots.Theme
    _data: dict[tuple[str, str], compare.HistoryArrays]

    if TYPE_CHECKING:
        def current_metric(self) -> str: ...
        def _flush(self, tab: int) -> None: ...
        def _baseline_index(self) -> int | None: ...
        def _weight(self) -> float: ...
        @property
        def histories(self) -> Any: ...

    def current_chart(self) -> Any:
        """The chart of the current tab (PlotItem or small-multiples layout), or None."""
        index = self.tabs.currentIndex()
        self._flush(index)
        if index == HISTORY_TAB:
            return self.grid.ci if self.multiples.isChecked() else self.history_plot.getPlotItem()
        if index == ACROSS_TAB:
            return self.across_plot.getPlotItem()
        if index == FINAL_TAB:
            return self.bars_plot.getPlotItem()
        return None

    def export_png(self, path: Path) -> Path | None:
        return self._export_chart(lambda chart: chart_export.export_png(chart, Path(path)))

    def export_svg(self, path: Path) -> Path | None:
        title = f"{self.model_name} — {self.current_metric()}"
        return self._export_chart(
            lambda chart: chart_export.export_svg(chart, Path(path), title))

    def _export_chart(self, write: Callable[[Any], Path]) -> Path | None:
        """Write the current tab's chart, titled, with `write`; None on a tab without one."""
        chart = self.current_chart()
        if chart is None:
            self.statusMessage.emit("This tab has no chart; export it as CSV.")
            return None
        with self._export_title(chart):
            out = write(chart)
        self.statusMessage.emit(f"Saved {out}")
        return out

    @contextlib.contextmanager
    def _export_title(self, chart: Any) -> Iterator[None]:
        """An exported image says what it shows; the view itself has its own title bar."""
        if not isinstance(chart, pg.PlotItem):
            yield
            return
        what = {HISTORY_TAB: self.current_metric(),
                ACROSS_TAB: f"{self.current_metric()} across versions",
                FINAL_TAB: "final metrics"}.get(self.tabs.currentIndex(), "")
        plots.set_title(chart, f"{self.model_name} — {what}", self.theme)
        chart.layout.activate()
        try:
            yield
        finally:
            chart.setTitle(None)
            chart.layout.activate()

    def export_csv(self, path: Path) -> Path:
        """The current tab's data: chart data (long format), the across-versions values,
        the final-metrics table or the params table."""
        path = Path(path)
        index = self.tabs.currentIndex()
        if index == FINAL_TAB:
            compare.write_final_metrics_csv(path, self.selected,
                                            compare.metric_keys(self.selected),
                                            self._baseline_index(), self.directions)
        elif index == PARAMS_TAB:
            compare.write_params_csv(path, self.selected, self.only_diff.isChecked())
        elif index == ACROSS_TAB:
            compare.write_across_csv(path, self.all_versions, self.current_metric())
        else:
            keys = self.multiple_keys if self.multiples.isChecked() else [self.current_metric()]
            series = {}
            for key in keys:
                for c in self.selected:
                    if c.run and (c.run.run_id, key) in self._data:
                        label = c.label if len(keys) == 1 else f"{c.label} {key}"
                        series[label] = self.histories[(c.run.run_id, key)]
            compare.write_histories_csv(path, series, self._weight())
        self.statusMessage.emit(f"Saved {path}")
        return path

    def _ask(self, what: str, suffix: str) -> Path | None:
        tab = ["history", "across", "final-metrics", "params"][self.tabs.currentIndex()]
        metric = self.current_metric() or "chart"
        name = _safe_name(f"{self.model_name or 'compare'}-{metric}-{tab}")
        path, _ = QFileDialog.getSaveFileName(self, f"Export {what}", f"{name}.{suffix}",
                                              f"{what} (*.{suffix})")
        if not path:
            return None
        p = Path(path)
        return p if p.suffix else p.with_suffix(f".{suffix}")

    def _export(self, what: str, suffix: str, fn: Any) -> None:
        if (p := self._ask(what, suffix)) is None:
            return
        try:
            fn(p)
        except OSError as exc:
            self.statusMessage.emit(f"Could not save {p}: {exc.strerror or exc}")

    def _export_png(self) -> None:
        self._export("PNG image", "png", self.export_png)

    def _export_svg(self) -> None:
        self._export("SVG image", "svg", self.export_svg)

    def _export_csv(self) -> None:
        self._export("CSV file", "csv", self.export_csv)


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)[:120]
