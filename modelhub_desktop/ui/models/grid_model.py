"""GridModel: a read-only rows x columns table of prepared cells.

The comparison tables (final metrics, params) are small and replaced as a whole whenever
the selection, the baseline or a direction changes; each cell carries its text, raw value
for sorting, colours and tooltip, worked out once instead of in every `data()` call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont


@dataclass(frozen=True)
class Cell:
    text: str
    value: Any = None  # raw value (SORT_ROLE)
    background: QBrush | None = None
    foreground: QColor | None = None
    bold: bool = False
    tooltip: str = ""
    align_right: bool = False


SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
Index = QModelIndex | QPersistentModelIndex


class GridModel(QAbstractTableModel):
    """Rows x columns of prepared cells (final metrics, params); replaced as a whole."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[str] = []
        self._row_tips: list[str] = []
        self._cols: list[str] = []
        self._col_tips: list[str] = []
        self._cells: list[list[Cell]] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_grid(self, rows: Sequence[str], cols: Sequence[str], cells: Sequence[Sequence[Cell]],
                 row_tips: Sequence[str] = (), col_tips: Sequence[str] = ()) -> None:
        self.beginResetModel()
        self._rows, self._cols = list(rows), list(cols)
        self._row_tips, self._col_tips = list(row_tips), list(col_tips)
        self._cells = [list(r) for r in cells]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._cols)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        role = int(role)
        names, tips = ((self._cols, self._col_tips) if orientation == Qt.Orientation.Horizontal
                       else (self._rows, self._row_tips))
        if not 0 <= section < len(names):
            return None
        if role == int(Qt.ItemDataRole.DisplayRole):
            return names[section]
        if role == int(Qt.ItemDataRole.ToolTipRole):
            return tips[section] if section < len(tips) and tips[section] else names[section]
        return None

    def cell(self, row: int, col: int) -> Cell:
        return self._cells[row][col]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self._cells) and 0 <= c < len(self._cells[r])):
            return None
        cell = self._cells[r][c]
        role = int(role)
        if role == int(Qt.ItemDataRole.DisplayRole):
            return cell.text
        if role == SORT_ROLE:
            return cell.value
        if role == int(Qt.ItemDataRole.ToolTipRole):
            return cell.tooltip or None
        if role == int(Qt.ItemDataRole.BackgroundRole):
            return cell.background
        if role == int(Qt.ItemDataRole.ForegroundRole):
            return cell.foreground
        if role == int(Qt.ItemDataRole.FontRole):
            return self._bold if cell.bold else None
        if role == int(Qt.ItemDataRole.TextAlignmentRole):
            return _RIGHT if cell.align_right else None
        return None
