"""Shared setup for the app's table views."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView


def make_table(object_name: str, parent: Any = None, multi_select: bool = False) -> QTableView:
    """A sortable, row-selecting table view with the app's defaults."""
    view = QTableView(parent)
    view.setObjectName(object_name)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi_select
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setSectionsMovable(True)
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    # Sizing columns to contents samples this many rows, not all of them: a 2,000-row
    # table would otherwise ask for every cell's text and freeze the UI.
    header.setResizeContentsPrecision(60)
    return view


def make_filter_edit(object_name: str, placeholder: str,
                     on_change: Callable[[str], None], width: int = 260) -> QLineEdit:
    """The quick-filter box shown above a table."""
    edit = QLineEdit()
    edit.setObjectName(object_name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    edit.setMaximumWidth(width)
    edit.textChanged.connect(on_change)
    return edit


def select_key(view: QTableView, key: Hashable) -> bool:
    """Select and reveal the row whose record has `key` (False if absent or filtered out)."""
    proxy = view.model()
    source = proxy.sourceModel()  # type: ignore[attr-defined]
    row = source.row_of(key)
    if row < 0:
        return False
    index = proxy.mapFromSource(source.index(row, 0))  # type: ignore[attr-defined]
    if not index.isValid():
        return False
    view.selectRow(index.row())
    view.scrollTo(index)
    return True
