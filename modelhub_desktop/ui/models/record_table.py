"""A QAbstractTableModel over a list of frozen records, with column specs and in-place updates.

Roles every table shares: `SORT_ROLE` gives raw Python values (ints for ms timestamps,
floats for metrics, None for missing) and `OBJECT_ROLE` gives the row's record.
`set_records` keeps rows that still exist, so selection and scroll survive a refresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)

SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
OBJECT_ROLE = int(Qt.ItemDataRole.UserRole) + 2
DISPLAY = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
FONT = int(Qt.ItemDataRole.FontRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
#: Roles any table here answers; everything else is None without further work.
_ROLES_SERVED = {DISPLAY, SORT_ROLE, OBJECT_ROLE, TOOLTIP, ALIGNMENT, BACKGROUND, FONT,
                 FOREGROUND, int(Qt.ItemDataRole.UserRole) + 3}
#: More changed or removed rows than this in one update: one reset instead of many signals.
BULK_ROWS = 2000
#: Time the quick filter spends preparing row texts per event-loop turn.
WARM_SLICE_S = 0.02

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
        self, columns: Sequence[Column[R]], key: Callable[[R], Hashable], parent: Any = None,
        same: Callable[[R, R], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns: list[Column[R]] = list(columns)
        self._key = key
        #: Whether an updated record shows the same as the old one (default: equality).
        self._same: Callable[[R, R], bool] = same or (lambda a, b: a == b)
        self._rows: list[R] = []
        #: (column, order) the rows are in, until rows or columns change: a repeated sort of
        #: the same kind (header restore, proxy, resort) costs nothing on 20,000 rows.
        self._ordered_as: tuple[int, int] | None = None
        self._row_text: dict[Hashable, str] = {}
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

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

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Called thousands of times per paint: plain int roles, cheapest checks first.
        role = int(role)
        if role not in _ROLES_SERVED:
            return None
        row = index.row()
        if row < 0 or row >= len(self._rows):
            return None
        record = self._rows[row]
        column = self._columns[index.column()]
        if role == DISPLAY:
            return column.display(record)
        if role == SORT_ROLE:
            return column.sort_key(record) if column.sort_key else column.display(record)
        if role == OBJECT_ROLE:
            return record
        if role == TOOLTIP:
            return (column.tooltip(record) or None) if column.tooltip is not None else None
        if role == ALIGNMENT:
            return RIGHT_ALIGNED if column.align_right else None
        return self.extra_data(record, column, index.column(), role)

    def extra_data(self, record: R, column: Column[R], col: int, role: int) -> Any:
        """Subclasses serve further roles (listed in `extra_roles`) here."""
        return None

    # -- records -----------------------------------------------------------------------
    @property
    def columns(self) -> list[Column[R]]:
        return list(self._columns)

    def set_columns(self, columns: Sequence[Column[R]]) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self._ordered_as = None
        self._row_text.clear()
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

    def warm_row_text(self, budget_s: float) -> bool:
        """Build the quick filter's text of rows that have none yet, for about `budget_s`
        seconds; whether every row has its text now. Lets a big table prepare its first
        filter in slices instead of one long freeze."""
        deadline = time.perf_counter() + budget_s
        texts, key = self._row_text, self._key
        for row, record in enumerate(self._rows):
            if key(record) not in texts:
                self.row_text(row)
                if row % 64 == 0 and time.perf_counter() > deadline:
                    return False
        return True

    def row_text(self, row: int) -> str:
        """Lower-cased text of every cell in a row, cached, for the quick filter."""
        record = self._rows[row]
        k = self._key(record)
        text = self._row_text.get(k)
        if text is None:
            text = "\x1f".join(c.display(record) for c in self._columns).casefold()
            self._row_text[k] = text
        return text

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort rows by a column's raw values; missing/NaN last in both directions."""
        self._sort_column, self._sort_order = column, order
        if not (0 <= column < len(self._columns)) or len(self._rows) < 2:
            return
        wanted = (column, int(order.value))
        if self._ordered_as == wanted:
            return
        spec = self._columns[column]
        new_rows = sorted_records(self._rows, spec.sort_key or spec.display,
                                  order == Qt.SortOrder.DescendingOrder)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        moved = []
        if persistent:
            new_pos = {self._key(r): i for i, r in enumerate(new_rows)}
            moved = [self.index(new_pos[self._key(self._rows[i.row()])], i.column())
                     if i.isValid() else i for i in persistent]
        self._rows = new_rows
        self._ordered_as = wanted
        if persistent:
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def resort(self) -> None:
        if self._sort_column >= 0:
            self.sort(self._sort_column, self._sort_order)

    def clear(self) -> None:
        self.set_records([], reset=True)

    def set_records(self, records: Sequence[R], reset: bool = False) -> None:
        """Replace the rows. Unless `reset`, rows are updated in place (no flicker)."""
        if reset or not self._rows:
            self._row_text.clear()
            self._ordered_as = None
            self.beginResetModel()
            self._rows = list(records)
            self.endResetModel()
            self.resort()
            return
        new_by_key = {self._key(r): r for r in records}
        gone = [row for row, r in enumerate(self._rows) if self._key(r) not in new_by_key]
        if len(gone) > BULK_ROWS:
            self.set_records(records, reset=True)
            return
        # 1. remove rows that are gone, bottom-up (one signal per run of rows)
        for row in gone:
            self._row_text.pop(self._key(self._rows[row]), None)
        for first, last in reversed(_runs(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()
        # 2. update rows that changed (one signal per run of rows)
        changed = []
        same = self._same
        for row, old in enumerate(self._rows):
            new = new_by_key.pop(self._key(old))
            if not same(old, new):
                self._rows[row] = new
                self._row_text.pop(self._key(new), None)
                changed.append(row)
        if changed:
            self._ordered_as = None
        last_col = max(len(self._columns) - 1, 0)
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_col))
        # 3. append new rows in the order given
        added = [r for r in records if self._key(r) in new_by_key]
        self.append_records(added, resort=False)
        self.resort()

    def append_records(self, records: Sequence[R], resort: bool = True) -> None:
        if not records:
            return
        start = len(self._rows)
        self._ordered_as = None
        self.beginInsertRows(QModelIndex(), start, start + len(records) - 1)
        self._rows.extend(records)
        self.endInsertRows()
        if resort:
            self.resort()


def _runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Ascending row numbers as (first, last) runs of consecutive rows."""
    out: list[tuple[int, int]] = []
    for row in rows:
        if out and out[-1][1] == row - 1:
            out[-1] = (out[-1][0], row)
        else:
            out.append((row, row))
    return out


def sorted_records(records: Sequence[R], get: Callable[[R], Any], descending: bool) -> list[R]:
    """Records by `get`'s values; missing (None) and NaN last in both directions.

    Numbers sort as numbers, text case-insensitively after them (see `sort_bucket`); a
    column of plain numbers skips the bucketing (20,000 rows in a few milliseconds).
    """
    # Indexes into one list of values, not (value, record) tuples: 20,000 tuples would be
    # 20,000 more objects for the garbage collector, which then pauses the UI thread.
    values = [get(record) for record in records]
    present: list[int] = []
    nan: list[int] = []
    none: list[int] = []
    for i, value in enumerate(values):
        if value is None:
            none.append(i)
        elif value != value:  # NaN (the only value unequal to itself)
            nan.append(i)
        else:
            present.append(i)
    first = values[present[0]] if present else None
    try:
        if not isinstance(first, (int, float)):
            raise TypeError("not a column of numbers")
        present.sort(key=values.__getitem__, reverse=descending)
    except TypeError:
        try:
            present.sort(key=lambda i: sort_bucket(values[i]), reverse=descending)
        except TypeError:
            present.sort(key=lambda i: str(values[i]), reverse=descending)
    return [records[i] for i in present + nan + none]


def sort_bucket(value: Any) -> tuple[int, Any]:
    """Numbers first (numerically), then text; NaN and missing are handled by the caller."""
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, (tuple, list)):
        return (1, tuple(sort_bucket(v) for v in value))
    return (1, str(value).casefold())


class RecordSortProxy(QSortFilterProxyModel):
    """Filters on any visible cell's text; sorting is delegated to the source model.

    Sorting in Python with precomputed keys (one `sorted()` call) keeps a click on a
    header of a 2,000-row table in the millisecond range; QSortFilterProxyModel's
    per-comparison `lessThan` callback into Python would take a large fraction of a second.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(False)
        self._needle = ""
        self._wanted = ""
        # The first filter of a big table builds every row's text: in slices, one per
        # event-loop turn, so typing never freezes the window.
        self._warm_timer = QTimer(self)
        self._warm_timer.setInterval(0)
        self._warm_timer.timeout.connect(self._warm_step)

    def set_quick_filter(self, text: str) -> None:
        self._wanted = text.strip().casefold()
        model = self.sourceModel()
        if (not self._wanted or not isinstance(model, RecordTableModel)
                or model.warm_row_text(WARM_SLICE_S)):
            self._warm_timer.stop()
            self._apply(self._wanted)
        elif not self._warm_timer.isActive():
            self._warm_timer.start()

    def _warm_step(self) -> None:
        model = self.sourceModel()
        if not isinstance(model, RecordTableModel) or model.warm_row_text(WARM_SLICE_S):
            self._warm_timer.stop()
            self._apply(self._wanted)

    def _apply(self, needle: str) -> None:
        if needle == self._needle:
            return
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle = needle
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self._needle:
            return True
        model = self.sourceModel()
        if isinstance(model, RecordTableModel):
            return self._needle in model.row_text(source_row)
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if isinstance(model, RecordTableModel):
            model.sort(column, order)
        else:
            super().sort(column, order)
