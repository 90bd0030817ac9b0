"""The "Changes" view: what changed in the registry between syncs, newest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from modelhub_desktop.core.domain import Change
from modelhub_desktop.core.formatting import fmt_ts
from modelhub_desktop.ui.models.record_table import Column, RecordSortProxy, RecordTableModel
from modelhub_desktop.ui.views.tables import make_filter_edit, make_table

KIND_WORDS = {
    "model_added": "New model",
    "model_deleted": "Model deleted",
    "version_added": "New version",
    "version_deleted": "Version deleted",
    "alias_moved": "Alias moved",
    "stage_moved": "Stage changed",
    "description_edited": "Description edited",
    "tag_edited": "Tag edited",
    "deployment_added": "New deployment",
}

CHANGE_COLUMNS: list[Column[tuple[int, Change]]] = [
    Column("at", "When", lambda r: fmt_ts(r[1].at), lambda r: (r[1].at, r[0])),
    Column("model", "Model", lambda r: r[1].model_name, lambda r: r[1].model_name.casefold()),
    Column("version", "Version", lambda r: f"v{r[1].version}" if r[1].version else "",
           lambda r: r[1].version, align_right=True),
    Column("kind", "What", lambda r: KIND_WORDS.get(r[1].kind, r[1].kind)),
    Column("detail", "Detail", lambda r: r[1].detail, tooltip=lambda r: r[1].detail),
]


class ChangesView(QWidget):
    """Lists `Change` records; "Mark all read" clears the unread count on the tab."""

    markReadRequested = Signal()  # noqa: N815
    unreadChanged = Signal(int)  # noqa: N815

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("changesView")
        self.model: RecordTableModel[tuple[int, Change]] = RecordTableModel(
            CHANGE_COLUMNS, key=lambda r: r[0], parent=self)
        self.proxy = RecordSortProxy(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.summary = QLabel("No changes recorded yet. Changes appear after the next sync.")
        top.addWidget(self.summary, 1)
        self.filter = make_filter_edit("changesFilter", "Filter changes",
                                       self.proxy.set_quick_filter)
        top.addWidget(self.filter)
        self.mark_read = QPushButton("Mark all read")
        self.mark_read.setObjectName("markReadButton")
        self.mark_read.clicked.connect(self.markReadRequested)
        top.addWidget(self.mark_read)
        layout.addLayout(top)
        self.table = make_table("changesTable", self)
        self.table.setModel(self.proxy)
        layout.addWidget(self.table, 1)
        self.unread = 0

    def set_changes(self, changes: list[Change], unread: int) -> None:
        # changes arrive newest first; number them so equal timestamps keep their order
        rows = [(len(changes) - i, c) for i, c in enumerate(changes)]
        self.model.set_records(rows, reset=True)
        self.model.sort(0, Qt.SortOrder.DescendingOrder)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.resizeColumnsToContents()
        self.unread = unread
        self.mark_read.setEnabled(unread > 0)
        if changes:
            since = fmt_ts(min(c.at for c in changes))
            self.summary.setText(f"{len(changes)} changes since {since}; {unread} unread.")
        self.unreadChanged.emit(unread)
