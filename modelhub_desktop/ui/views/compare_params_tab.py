"""The compare view's Params tab: params side by side, a column per version; by default
only the params that differ, saying how many identical ones are hidden."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from modelhub_desktop.core.compare import Compared
from modelhub_desktop.core.compare_csv import write_params_csv
from modelhub_desktop.ui.charts import plots
from modelhub_desktop.ui.models.grid_model import GridModel
from modelhub_desktop.ui.views import compare_tables
from modelhub_desktop.ui.views.compare_parts import grid_table, note_label


class ParamsTab(QWidget):
    """Params of the compared versions; tinted where they differ from the baseline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_tag = "params"
        self.items: list[Compared] = []
        self.baseline: int | None = None
        v = QVBoxLayout(self)
        self.only_diff = QCheckBox("Only differences")
        self.only_diff.setObjectName("onlyDifferences")
        self.only_diff.setChecked(True)
        self.only_diff.toggled.connect(self.fill)
        v.addWidget(self.only_diff)
        self.model = GridModel(self)
        self.table = grid_table("paramsTable", self.model)
        v.addWidget(self.table, 1)
        self.note = note_label("paramsNote")
        v.addWidget(self.note)

    def set_items(self, items: Sequence[Compared], baseline: int | None) -> None:
        """Show `items`; `baseline` (an index into them) is what differences are to."""
        self.items, self.baseline = list(items), baseline
        self.fill()

    def fill(self, *_: object) -> None:
        grid = compare_tables.params_grid(self.items, self.baseline, self.only_diff.isChecked())
        self.model.set_grid(grid.rows, grid.cols, grid.cells, grid.row_tips, grid.col_tips)
        self.table.resizeColumnsToContents()
        self.note.setText("\n".join(grid.notes))

    # -- page interface ------------------------------------------------------------------------
    def chart(self) -> Any:
        return None

    def chart_title(self) -> str:
        return "params"

    def write_csv(self, path: Path) -> None:
        write_params_csv(path, self.items, self.only_diff.isChecked())

    def retheme(self, theme: plots.Theme) -> None:
        """Nothing themed by hand: the table follows the palette."""
