"""Right-top pane: a quick filter above the `versionTable`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.ui.models.record_table import OBJECT_ROLE, RecordSortProxy
from modelhub_desktop.ui.models.version_table_model import VersionRow, VersionTableModel
from modelhub_desktop.ui.views.tables import make_table


class VersionTableView(QWidget):
    versionSelected = Signal(object)  # noqa: N815 - VersionRow | None

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = VersionTableModel(self)
        self.proxy = RecordSortProxy(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.title = QLabel("<b>Versions</b>")
        top.addWidget(self.title, 1)
        self.quick_filter = QLineEdit()
        self.quick_filter.setObjectName("versionFilter")
        self.quick_filter.setPlaceholderText("Filter versions")
        self.quick_filter.setClearButtonEnabled(True)
        self.quick_filter.setMaximumWidth(260)
        self.quick_filter.textChanged.connect(self.proxy.set_quick_filter)
        top.addWidget(self.quick_filter)
        layout.addLayout(top)
        self.table = make_table("versionTable", self, multi_select=True)
        self.table.setModel(self.proxy)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        layout.addWidget(self.table, 1)
        self.model_name = ""

    def set_model_name(self, name: str) -> None:
        self.model_name = name
        self.title.setText(f"<b>Versions</b> of {name}" if name else "<b>Versions</b>")

    def set_versions(
        self, versions: list[ModelVersion], runs: dict[str, RunData], reset: bool = False
    ) -> None:
        self.model.set_versions(versions, runs, reset=reset)
        if reset:
            self.table.resizeColumnsToContents()
            header = self.table.horizontalHeader()
            for col in range(header.count()):
                header.resizeSection(col, min(header.sectionSize(col), 320))

    def _on_selection(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self.versionSelected.emit(self.current_row())

    def current_row(self) -> VersionRow | None:
        index = self.table.selectionModel().currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if index.isValid() and self.table.selectionModel().isRowSelected(index.row()):
            return index.data(OBJECT_ROLE)
        return rows[0].data(OBJECT_ROLE) if rows else None

    def selected_rows(self) -> list[VersionRow]:
        return [i.data(OBJECT_ROLE) for i in self.table.selectionModel().selectedRows()]

    def select_first(self) -> None:
        if self.proxy.rowCount() > 0:
            self.table.selectRow(0)
