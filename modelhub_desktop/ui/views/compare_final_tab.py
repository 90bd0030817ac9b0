"""The compare view's Final metrics tab: a table of each version's latest values (best
in bold, differences to a chosen baseline) over grouped bars. The baseline chosen here is
also what the Params tab tints differences against."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core import compare
from modelhub_desktop.core.compare import Compared
from modelhub_desktop.core.compare_csv import write_final_metrics_csv
from modelhub_desktop.ui.charts import bars, hover, plots
from modelhub_desktop.ui.models.grid_model import GridModel
from modelhub_desktop.ui.views import compare_tables
from modelhub_desktop.ui.views.compare_parts import grid_table, note_label

#: Metrics drawn as grouped bars at most (their names must fit under the bars).
MAX_BAR_METRICS = 12


class FinalTab(QWidget):
    """Final metrics of the compared versions; see the module docstring."""

    baselineChanged = Signal()  # noqa: N815

    def __init__(self, theme: plots.Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_tag = "final-metrics"
        self.theme = theme
        self.items: list[Compared] = []
        self.directions: dict[str, str] = {}
        self._stale = False
        v = QVBoxLayout(self)
        opts = QHBoxLayout()
        opts.addWidget(QLabel("Baseline:"))
        self.baseline = QComboBox()
        self.baseline.setObjectName("baselineCombo")
        self.baseline.currentIndexChanged.connect(self._baseline_changed)
        opts.addWidget(self.baseline)
        opts.addWidget(QLabel("Best value per metric in bold; right-click a metric to choose "
                              "whether higher or lower is better."))
        opts.addStretch(1)
        v.addLayout(opts)
        split = QSplitter(Qt.Orientation.Vertical)
        self.model = GridModel(self)
        self.table = grid_table("finalMetricsTable", self.model)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._cell_menu)
        header = self.table.verticalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        split.addWidget(self.table)
        self.bars_plot = plots.make_plot(theme)
        self.bars_plot.setObjectName("finalMetricsBars")
        self.bars_plot.setMinimumHeight(180)
        self.bars_hover = hover.HoverReadout(self.bars_plot)
        split.addWidget(self.bars_plot)
        split.setSizes([220, 320])
        v.addWidget(split, 1)
        self.note = note_label("finalNote")
        v.addWidget(self.note)

    def set_items(self, items: Sequence[Compared]) -> None:
        """Show `items`; the champion (else the first) becomes the baseline."""
        self.items = list(items)
        self.baseline.blockSignals(True)
        self.baseline.clear()
        for c in self.items:
            self.baseline.addItem(c.label, c.version.version)
        champion = next((i for i, c in enumerate(self.items)
                         if "champion" in c.version.aliases), 0)
        self.baseline.setCurrentIndex(champion if self.items else -1)
        self.baseline.blockSignals(False)
        self.fill()

    def baseline_index(self) -> int | None:
        """The baseline's index in the compared versions."""
        version = self.baseline.currentData()
        return next((i for i, c in enumerate(self.items) if c.version.version == version),
                    None)

    def rows(self) -> list[compare.FinalRow]:
        return compare.final_metrics(self.items, compare.metric_keys(self.items),
                                     self.baseline_index(), self.directions)

    def set_direction(self, key: str, direction: str) -> None:
        """Whether the best value of `key` is its "min" or its "max"."""
        self.directions[key] = direction
        self.fill()

    def _baseline_changed(self, *_: object) -> None:
        self.fill()
        self.baselineChanged.emit()

    def fill(self) -> None:
        """Refill the table now; the bars when they show."""
        grid = compare_tables.final_metrics_grid(self.items, self.rows(), self.baseline_index(),
                                                 self.theme.name)
        self.model.set_grid(grid.rows, grid.cols, grid.cells, grid.row_tips, grid.col_tips)
        self.table.resizeColumnsToContents()
        self.note.setText("\n".join(grid.notes))
        self._stale = True
        if self.isVisible():
            self.flush()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.flush()

    def flush(self) -> None:
        """Draw the bars if they changed since they were last drawn."""
        if not self._stale:
            return
        self._stale = False
        rows = self.rows()
        shown = bars.draw(self.bars_plot.getPlotItem(), self.bars_hover, rows,
                          [c.label for c in self.items], self.theme, MAX_BAR_METRICS)
        if len(rows) > shown:
            self.note.setText((self.note.text() + "\n").lstrip()
                              + f"Bars show the first {shown} of {len(rows)} metrics.")

    # -- which way is better -------------------------------------------------------------------
    def _cell_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self._direction_menu(index.row(), self.table.viewport().mapToGlobal(pos))

    def _header_menu(self, pos: QPoint) -> None:
        header = self.table.verticalHeader()
        row = header.logicalIndexAt(pos)
        if row >= 0:
            self._direction_menu(row, header.mapToGlobal(pos))

    def _direction_menu(self, row: int, global_pos: QPoint) -> None:
        rows = self.rows()
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

    # -- page interface ------------------------------------------------------------------------
    def chart(self) -> Any:
        self.flush()
        return self.bars_plot.getPlotItem()

    def chart_title(self) -> str:
        return "final metrics"

    def write_csv(self, path: Path) -> None:
        write_final_metrics_csv(path, self.items, compare.metric_keys(self.items),
                                self.baseline_index(), self.directions)

    def retheme(self, theme: plots.Theme) -> None:
        self.theme = theme
        self.bars_plot.setBackground(theme.background)
        plots.style_plot(self.bars_plot.getPlotItem(), theme)
        self.fill()
