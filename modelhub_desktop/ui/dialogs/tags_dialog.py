"""`tagsDialog`: add, edit and remove the tags of a model or a version.

MLflow's own tags (`mlflow.*`) and the app's audit entries (`modelhub.*`) are not shown:
they are not the user's to edit here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTableView, QWidget

from modelhub_desktop.ui.dialogs.write_dialog import WriteDialog

HIDDEN_PREFIXES = ("mlflow.", "modelhub.")


def editable(key: str) -> bool:
    return not key.startswith(HIDDEN_PREFIXES)


class TagsDialog(WriteDialog):
    def __init__(self, title: str, tags: Mapping[str, str], parent: Any = None) -> None:
        super().__init__(title, "Double-click a cell to edit it. Removing a tag needs MANAGE "
                         "on the model.", "Save", "tagsDialog", parent)
        self.resize(560, 420)
        self.original = {k: v for k, v in tags.items() if editable(k)}
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["Key", "Value"])
        for key, value in sorted(self.original.items()):
            self.add_row(key, value)
        self.table = QTableView()
        self.table.setObjectName("tagsTable")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.fields.addWidget(self.table, 1)
        row = QWidget()
        buttons = QHBoxLayout(row)
        buttons.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton("Add tag")
        self.add_button.setObjectName("tagsAdd")
        self.add_button.clicked.connect(self._add_clicked)
        self.remove_button = QPushButton("Remove selected")
        self.remove_button.setObjectName("tagsRemove")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.fields.addWidget(row)
        self.model.dataChanged.connect(lambda *_: self._update())
        self.model.rowsRemoved.connect(lambda *_: self._update())
        self.model.rowsInserted.connect(lambda *_: self._update())
        self._update()

    def add_row(self, key: str = "", value: str = "") -> int:
        self.model.appendRow([QStandardItem(key), QStandardItem(value)])
        return self.model.rowCount() - 1

    def _add_clicked(self) -> None:
        row = self.add_row()
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.edit(self.model.index(row, 0))

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectionModel().selectedIndexes()},
                          reverse=True):
            self.model.removeRow(row)

    def tags(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for row in range(self.model.rowCount()):
            key = (self.model.item(row, 0).text() or "").strip()
            if key:
                out[key] = self.model.item(row, 1).text() or ""
        return out

    def changes(self) -> dict[str, str | None]:
        """key -> new value, or None for a removed tag."""
        now = self.tags()
        out: dict[str, str | None] = {k: v for k, v in now.items()
                                      if self.original.get(k) != v}
        out.update({k: None for k in self.original if k not in now})
        return out

    def _update(self) -> None:
        keys = [(self.model.item(r, 0).text() or "").strip()
                for r in range(self.model.rowCount())]
        named = [k for k in keys if k]
        if len(named) != len(set(named)):
            self.set_problem("Two tags have the same key.")
        elif any(not editable(k) for k in named):
            self.set_problem("Keys starting with mlflow. or modelhub. are reserved.")
        elif any(len(k) > 250 for k in named):
            self.set_problem("A tag key is at most 250 characters.")
        else:
            self.set_problem("")
            self.set_ready(bool(self.changes()))
