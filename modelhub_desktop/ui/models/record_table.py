"""A QAbstractTableModel over a list of frozen records, with column specs and in-place updates.

Roles every table shares: `SORT_ROLE` gives raw Python values (ints for ms timestamps,
floats for metrics, None for missing) and `OBJECT_ROLE` gives the row's record.
`set_records` keeps rows that still exist, so selection and scroll survive a refresh.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
OBJECT_ROLE = int(Qt.ItemDataRole.UserRole) + 2

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: how to show a record, how to sort it, and an optional tooltip."""

    id: str
    title: str
    display: Callable[[R], str]
    sort_key: Callable[[R], Any] | None = None
    tooltip: Callable[[R], str] | None = None
    align_right: bool = False


class RecordTableModel(QAbstractTableModel, Generic[R]):
    def __init__(
        self, columns: Sequence[Column[R]], key: Callable[[R], Hashable], parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._columns: list[Column[R]] = list(columns)
        self._key = key
        self._rows: list[R] = []

    # -- Qt API ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].title
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(record)
        if role == SORT_ROLE:
            return column.sort_key(record) if column.sort_key else column.display(record)
        if role == OBJECT_ROLE:
            return record
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(record) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # -- records -----------------------------------------------------------------------
    @property
    def columns(self) -> list[Column[R]]:
        return list(self._columns)

    def set_columns(self, columns: Sequence[Column[R]]) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self.endResetModel()

    def records(self) -> list[R]:
        return list(self._rows)

    def record(self, row: int) -> R:
        return self._rows[row]

    def row_of(self, key: Hashable) -> int:
        for i, r in enumerate(self._rows):
            if self._key(r) == key:
                return i
        return -1

    def clear(self) -> None:
        self.set_records([], reset=True)

    def set_records(self, records: Sequence[R], reset: bool = False) -> None:
        """Replace the rows. Unless `reset`, rows are updated in place (no flicker)."""
        if reset or not self._rows:
            self.beginResetModel()
            self._rows = list(records)
            self.endResetModel()
            return
        new_by_key = {self._key(r): r for r in records}
        # 1. remove rows that are gone, bottom-up so indexes stay valid
        for row in range(len(self._rows) - 1, -1, -1):
            if self._key(self._rows[row]) not in new_by_key:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        # 2. update rows that changed
        last_col = max(len(self._columns) - 1, 0)
        for row, old in enumerate(self._rows):
            new = new_by_key.pop(self._key(old))
            if new != old:
                self._rows[row] = new
                self.dataChanged.emit(self.index(row, 0), self.index(row, last_col))
        # 3. append new rows in the order given
        added = [r for r in records if self._key(r) in new_by_key]
        self.append_records(added)

    def append_records(self, records: Sequence[R]) -> None:
        if not records:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(records) - 1)
        self._rows.extend(records)
        self.endInsertRows()


def _sort_bucket(value: Any) -> tuple[int, Any]:
    """Numbers first (numerically), then text, then missing/NaN last."""
    if value is None:
        return (3, 0)
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return (2, 0)
        return (0, value)
    if isinstance(value, (tuple, list)):
        return (1, tuple(_sort_bucket(v) for v in value))
    return (1, str(value).casefold())


class RecordSortProxy(QSortFilterProxyModel):
    """Sorts by SORT_ROLE with missing values last; filters on any visible cell's text."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)
        self._needle = ""

    def set_quick_filter(self, text: str) -> None:
        self._needle = text.strip().casefold()
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self._needle:
            return True
        model = self.sourceModel()
        for col in range(model.columnCount()):
            text = model.data(model.index(source_row, col, source_parent))
            if text and self._needle in str(text).casefold():
                return True
        return False

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802
        a = _sort_bucket(left.data(SORT_ROLE))
        b = _sort_bucket(right.data(SORT_ROLE))
        # missing values stay last in both sort directions
        if a[0] >= 2 or b[0] >= 2:
            if a[0] == b[0]:
                return False
            descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
            return (a[0] < b[0]) != descending
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
