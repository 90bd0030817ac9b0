"""The `columnChooser`: pick which version fields, run params and metrics are columns.

Keys are grouped (Fields / Params / Metrics) with how many versions have each, searchable,
with select all / none. PrimeHub's "Columns" button is the model for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
)

from modelhub_desktop.ui.models.version_table_model import FIELD_COLUMNS, KeyStats

ID_ROLE = int(Qt.ItemDataRole.UserRole) + 10


class ColumnChooser(QDialog):
    """A dialog listing every available column with a checkbox."""

    columnsChosen = Signal(list)  # noqa: N815 - list of column ids, in display order

    def __init__(self, stats: KeyStats, chosen: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("columnChooser")
        self.setWindowTitle("Choose columns")
        self.resize(420, 560)
        self._chosen_order = list(chosen)
        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels(["Column", "Versions"])
        chosen_set = set(chosen)
        total = stats.versions
        fields = self._group("Fields", len(FIELD_COLUMNS))
        for col in FIELD_COLUMNS:
            self._add(fields, col.id, col.title, "", col.id in chosen_set,
                      enabled=col.id != "version")
        params = self._group("Params", len(stats.params))
        for key in sorted(stats.params, key=str.casefold):
            self._add(params, f"param:{key}", key, f"{stats.params[key]}/{total}",
                      f"param:{key}" in chosen_set)
        metrics = self._group("Metrics", len(stats.metrics))
        for key in sorted(stats.metrics, key=str.casefold):
            self._add(metrics, f"metric:{key}", key, f"{stats.metrics[key]}/{total}",
                      f"metric:{key}" in chosen_set)

        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(0)

        layout = QVBoxLayout(self)
        hint = QLabel("Tick the params and metrics to show as columns of the version table.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.search = QLineEdit()
        self.search.setObjectName("columnSearch")
        self.search.setPlaceholderText("Search keys")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        layout.addWidget(self.search)
        self.tree = QTreeView()
        self.tree.setObjectName("columnTree")
        self.tree.setModel(self.proxy)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setUniformRowHeights(True)
        self.tree.expandAll()
        self.tree.header().resizeSection(0, 300)
        layout.addWidget(self.tree, 1)
        row = QHBoxLayout()
        self.all_button = QPushButton("Select all")
        self.all_button.setToolTip("Tick every key shown (respects the search)")
        self.all_button.clicked.connect(lambda: self._set_visible_checked(True))
        self.none_button = QPushButton("Select none")
        self.none_button.clicked.connect(lambda: self._set_visible_checked(False))
        row.addWidget(self.all_button)
        row.addWidget(self.none_button)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.search.setFocus()

    def _group(self, title: str, count: int) -> QStandardItem:
        item = QStandardItem(f"{title} ({count})")
        item.setEditable(False)
        item.setSelectable(False)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        count_item = QStandardItem("")
        count_item.setEditable(False)
        self.model.appendRow([item, count_item])
        return item

    @staticmethod
    def _add(group: QStandardItem, column_id: str, title: str, count: str, checked: bool,
             enabled: bool = True) -> None:
        item = QStandardItem(title)
        item.setCheckable(True)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        item.setData(column_id, ID_ROLE)
        item.setEditable(False)
        item.setEnabled(enabled)
        item.setToolTip(column_id)
        count_item = QStandardItem(count)
        count_item.setEditable(False)
        group.appendRow([item, count_item])

    def _on_search(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self.tree.expandAll()

    def _leaves(self, visible_only: bool) -> list[QStandardItem]:
        out = []
        for g in range(self.model.rowCount()):
            group = self.model.item(g)
            for r in range(group.rowCount()):
                child = group.child(r)
                if visible_only:
                    src = self.model.indexFromItem(child)
                    if not self.proxy.mapFromSource(src).isValid():
                        continue
                out.append(child)
        return out

    def _set_visible_checked(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for item in self._leaves(visible_only=True):
            if item.isEnabled():
                item.setCheckState(state)

    def chosen_ids(self) -> list[str]:
        ticked = [i.data(ID_ROLE) for i in self._leaves(visible_only=False)
                  if i.checkState() == Qt.CheckState.Checked or not i.isEnabled()]
        # keep the existing order for columns that stay; new ones go at the end
        kept = [c for c in self._chosen_order if c in ticked]
        return kept + [c for c in ticked if c not in kept]

    def check(self, column_id: str, checked: bool = True) -> None:
        for item in self._leaves(visible_only=False):
            if item.data(ID_ROLE) == column_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _accept(self) -> None:
        self.columnsChosen.emit(self.chosen_ids())
        self.accept()
