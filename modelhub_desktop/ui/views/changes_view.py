"""The "Changes" view: what changed in the registry between syncs, newest first.

Rows are `(seq, Change)` pairs: `seq` numbers the list oldest = 1, so changes seen by
the same sync (equal timestamps) keep the cache's order, and the newest `unread` rows
are the unread ones (marking read always marks everything up to now).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from modelhub_desktop.core.domain import Change
from modelhub_desktop.core.formatting import fmt_ts
from modelhub_desktop.ui.models.record_table import FONT, Column, RecordSortProxy, RecordTableModel
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
    "deployment_removed": "Deployment removed",
}

Row = tuple[int, Change]

COL_AT, COL_MODEL, COL_VERSION, COL_KIND, COL_DETAIL = range(5)


def kind_words(kind: str) -> str:
    """A change kind as a person would say it (unknown kinds: words from the id)."""
    return KIND_WORDS.get(kind) or kind.replace("_", " ").strip().capitalize()


CHANGE_COLUMNS: list[Column[Row]] = [
    Column(
        "at",
        "When",
        lambda r: fmt_ts(r[1].at),
        lambda r: (r[1].at, r[0]),
        tooltip=lambda r: f"Seen by the sync of {fmt_ts(r[1].at)}",
    ),
    Column(
        "model",
        "Model",
        lambda r: r[1].model_name,
        lambda r: r[1].model_name.casefold(),
        tooltip=lambda r: r[1].model_name,
    ),
    Column(
        "version",
        "Version",
        lambda r: f"v{r[1].version}" if r[1].version else "",
        lambda r: r[1].version,
        align_right=True,
    ),
    Column("kind", "What", lambda r: kind_words(r[1].kind)),
    Column("detail", "Detail", lambda r: r[1].detail, tooltip=lambda r: r[1].detail),
]


class ChangesModel(RecordTableModel[Row]):
    """Change rows; unread ones are shown in bold."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(CHANGE_COLUMNS, key=lambda r: r[0], parent=parent)
        self.first_unread_seq = 1 << 62  # rows with seq >= this are unread
        self._bold = QFont()
        self._bold.setBold(True)

    def set_changes(self, changes: list[Change], unread: int) -> None:
        """`changes` newest first, as the cache returns them."""
        count = len(changes)
        self.first_unread_seq = count - max(0, min(unread, count)) + 1
        self.set_records([(count - i, c) for i, c in enumerate(changes)], reset=True)

    def is_unread(self, row: Row) -> bool:
        return row[0] >= self.first_unread_seq

    def extra_data(self, record: Row, column: Column[Row], col: int, role: int) -> Any:
        if role == FONT and self.is_unread(record):
            return self._bold
        return None


class ChangesView(QWidget):
    """Lists `Change` records; "Mark all read" clears the unread count on the tab."""

    markReadRequested = Signal()  # noqa: N815
    unreadChanged = Signal(int)  # noqa: N815

    EMPTY_TEXT = "No changes recorded yet. Changes appear after the next sync."

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("changesView")
        self.model = ChangesModel(self)
        self.proxy = RecordSortProxy(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.summary = QLabel(self.EMPTY_TEXT)
        self.summary.setObjectName("changesSummary")
        top.addWidget(self.summary, 1)
        self.filter = make_filter_edit(
            "changesFilter", "Filter changes", self.proxy.set_quick_filter
        )
        self.filter.setAccessibleName("Filter changes")
        top.addWidget(self.filter)
        self.mark_read = QPushButton("Mark all read")
        self.mark_read.setObjectName("markReadButton")
        self.mark_read.setToolTip("Clear the unread count; the history is kept")
        self.mark_read.setEnabled(False)
        self.mark_read.clicked.connect(self.markReadRequested)
        top.addWidget(self.mark_read)
        layout.addLayout(top)
        self.table = make_table("changesTable", self)
        self.table.setAccessibleName("Changes since earlier syncs")
        self.table.setModel(self.proxy)
        # newest first until the user clicks another header; kept across updates
        self.table.sortByColumn(COL_AT, Qt.SortOrder.DescendingOrder)
        layout.addWidget(self.table, 1)
        self.unread = 0
        self._fitted = False

    def set_changes(self, changes: list[Change], unread: int) -> None:
        """Show `changes` (newest first, as the cache gives them); `unread` newest are new.

        `unread` may exceed the rows shown (the cache lists the newest few thousand).
        """
        unread = max(0, unread)
        self.model.set_changes(changes, unread)
        if changes and not self._fitted:
            self.table.resizeColumnsToContents()
            self._fitted = True
        self.mark_read.setEnabled(unread > 0)
        if changes:
            since = fmt_ts(min(c.at for c in changes))
            noun = "change" if len(changes) == 1 else "changes"
            self.summary.setText(f"{len(changes)} {noun} since {since}; {unread} unread.")
        else:
            self.summary.setText(self.EMPTY_TEXT)
        self.unread = unread
        self.unreadChanged.emit(unread)
