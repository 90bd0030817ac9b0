"""Shared setup for the app's table views."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


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
