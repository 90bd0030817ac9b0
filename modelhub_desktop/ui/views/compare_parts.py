"""Small pieces the compare view's tabs share: the note under a chart, a read-only grid
table, and the page interface the view and the exporter talk to."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView

from modelhub_desktop.ui.charts import plots
from modelhub_desktop.ui.models.grid_model import GridModel


class ComparePage(Protocol):
    """One tab of the compare view, as the view and the exporter see it."""

    #: Short name for file names ("history", "params").
    file_tag: str

    def chart(self) -> Any:
        """The chart to export (a PlotItem or a layout of them), drawn; None if none."""

    def chart_title(self) -> str:
        """What an exported image of the chart shows, after the model's name."""

    def write_csv(self, path: Path) -> None:
        """The tab's data as CSV."""

    def retheme(self, theme: plots.Theme) -> None:
        """Follow the application palette."""


def note_label(name: str) -> QLabel:
    """The note under a chart or table that says what it cannot show."""
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def grid_table(name: str, model: GridModel) -> QTableView:
    """A read-only table of prepared cells."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.horizontalHeader().setStretchLastSection(False)
    return view
