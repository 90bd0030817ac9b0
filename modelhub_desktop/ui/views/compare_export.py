"""Export from the compare view: the current tab's chart as PNG or SVG, its data as CSV.

The exporter asks the current tab (a `ComparePage`) for its chart and its CSV; images
are titled with the model and what they show, since the view's own title bar is not in
them. Files are written through `charts.export` and `core.compare_csv`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QTabWidget, QWidget

from modelhub_desktop.ui.charts import export as chart_export
from modelhub_desktop.ui.charts import plots
from modelhub_desktop.ui.views.compare_parts import ComparePage


class CompareExporter(QObject):
    """PNG/SVG/CSV export of whatever the current compare tab shows."""

    statusMessage = Signal(str)  # noqa: N815

    def __init__(self, tabs: QTabWidget, model_name: Callable[[], str],
                 theme: Callable[[], plots.Theme], parent: QWidget) -> None:
        super().__init__(parent)
        self._tabs = tabs
        self._model_name = model_name
        self._theme = theme
        self._parent = parent

    def page(self) -> ComparePage:
        return cast(ComparePage, self._tabs.currentWidget())

    def current_chart(self) -> Any:
        """The chart of the current tab (PlotItem or small-multiples layout), or None."""
        return self.page().chart()

    # -- files ---------------------------------------------------------------------------------
    def export_png(self, path: Path) -> Path | None:
        return self._export_chart(lambda chart: chart_export.export_png(chart, Path(path)))

    def export_svg(self, path: Path) -> Path | None:
        title = f"{self._model_name()} — {self.page().chart_title()}"
        return self._export_chart(
            lambda chart: chart_export.export_svg(chart, Path(path), title))

    def export_csv(self, path: Path) -> Path:
        """The current tab's data: chart data (long format), the across-versions values,
        the final-metrics table or the params table."""
        path = Path(path)
        self.page().write_csv(path)
        self.statusMessage.emit(f"Saved {path}")
        return path

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
        plots.set_title(chart, f"{self._model_name()} — {self.page().chart_title()}",
                        self._theme())
        chart.layout.activate()
        try:
            yield
        finally:
            chart.setTitle(None)
            chart.layout.activate()

    # -- asking where --------------------------------------------------------------------------
    def _ask(self, what: str, suffix: str) -> Path | None:
        page = self.page()
        name = _safe_name(f"{self._model_name() or 'compare'}-"
                          f"{page.chart_title() or 'chart'}-{page.file_tag}")
        path, _ = QFileDialog.getSaveFileName(self._parent, f"Export {what}",
                                              f"{name}.{suffix}", f"{what} (*.{suffix})")
        if not path:
            return None
        p = Path(path)
        return p if p.suffix else p.with_suffix(f".{suffix}")

    def _export(self, what: str, suffix: str, write: Callable[[Path], object]) -> None:
        if (p := self._ask(what, suffix)) is None:
            return
        try:
            write(p)
        except OSError as exc:
            self.statusMessage.emit(f"Could not save {p}: {exc.strerror or exc}")

    def ask_png(self) -> None:
        self._export("PNG image", "png", self.export_png)

    def ask_svg(self) -> None:
        self._export("SVG image", "svg", self.export_svg)

    def ask_csv(self) -> None:
        self._export("CSV file", "csv", self.export_csv)


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)[:120]
