"""Left pane: `modelSearch` above the `modelList` table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, QPoint, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QMenu, QVBoxLayout, QWidget

from modelhub_desktop.core.domain import RegisteredModel
from modelhub_desktop.ui.models.model_list_model import (
    COL_ALIASES,
    COL_LATEST,
    COL_MODIFIED,
    COL_NAME,
    COL_TAGS,
    ModelListModel,
)
from modelhub_desktop.ui.models.record_table import OBJECT_ROLE, RecordSortProxy
from modelhub_desktop.ui.views.tables import make_table, select_key

#: Widest each column gets when fitted (the name column takes the rest of the pane).
COLUMN_CAPS = {COL_LATEST: 64, COL_ALIASES: 160, COL_MODIFIED: 140, COL_TAGS: 140}
NAME_MIN = 100
DEFAULT_PANE = 340

SERVER_FILTER_HINT = (
    "Type to filter by name. Press Enter to search the server with "
    "MLflow's filter syntax, e.g. tags.task = 'classification' or "
    "name LIKE '%iris%'."
)


def is_server_filter(text: str) -> bool:
    """A query in MLflow's filter syntax (rather than a plain name substring)."""
    lowered = text.lower()
    return any(tok in lowered for tok in ("=", " like ", " ilike ", "tags.", "name "))


class ModelListView(QWidget):
    modelSelected = Signal(object)  # noqa: N815 - RegisteredModel | None
    serverSearchRequested = Signal(str)  # noqa: N815
    #: a context menu is about to open over this model: listeners add their actions to it
    menuRequested = Signal(object, object)  # noqa: N815 - QMenu, RegisteredModel

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = ModelListModel(self)
        self.proxy = RecordSortProxy(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Registered models</b>")
        layout.addWidget(title)
        self.search = QLineEdit()
        self.search.setObjectName("modelSearch")
        self.search.setPlaceholderText("Search models (Ctrl+F)")
        self.search.setToolTip(SERVER_FILTER_HINT)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_text)
        self.search.returnPressed.connect(self._on_enter)
        layout.addWidget(self.search)
        self.search_error = QLabel("")
        self.search_error.setObjectName("modelSearchError")
        self.search_error.setWordWrap(True)
        self.search_error.setStyleSheet("color: #b00020;")
        self.search_error.hide()
        layout.addWidget(self.search_error)
        self.table = make_table("modelList", self)
        self.table.setModel(self.proxy)
        # Cells are cut with an ellipsis inside their column; `fit_columns` keeps name,
        # latest and aliases inside the pane so the aliases are not cut by its edge.
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._model_menu)
        layout.addWidget(self.table, 1)
        self._server_query = ""

    def _model_menu(self, pos: QPoint) -> None:
        model = self.current_model()
        if model is None:
            return
        menu = QMenu(self)
        menu.setObjectName("modelMenu")
        self.menuRequested.emit(menu, model)
        if not menu.isEmpty():
            menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _on_text(self, text: str) -> None:
        self.show_search_error("")
        if is_server_filter(text):
            return  # applied on Enter
        if self._server_query:
            self._server_query = ""
            self.serverSearchRequested.emit("")
        self.proxy.set_quick_filter(text)

    def _on_enter(self) -> None:
        text = self.search.text().strip()
        if is_server_filter(text):
            self.proxy.set_quick_filter("")
            self._server_query = text
            self.serverSearchRequested.emit(text)

    def show_search_error(self, message: str) -> None:
        self.search_error.setText(message)
        self.search_error.setVisible(bool(message))

    def _on_selection(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self.modelSelected.emit(self.current_model())

    def current_model(self) -> RegisteredModel | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return rows[0].data(OBJECT_ROLE)

    def set_models(self, models: list[RegisteredModel], reset: bool = False) -> None:
        first = self.model.rowCount() == 0
        self.model.set_records(models, reset=reset)
        if (reset or first) and models:
            self.fit_columns()

    def fit_columns(self) -> None:
        """Columns sized to their text up to a cap; the name gets what the pane has left
        after latest and aliases (at least NAME_MIN), so those three fit side by side."""
        header = self.table.horizontalHeader()
        for col in range(header.count()):
            self.table.resizeColumnToContents(col)
        for col, cap in COLUMN_CAPS.items():
            header.resizeSection(col, max(56, min(header.sectionSize(col), cap)))
        pane = self.table.viewport().width() if self.table.isVisible() else 0
        room = max(pane, DEFAULT_PANE) - header.sectionSize(COL_LATEST) \
            - header.sectionSize(COL_ALIASES) - 4
        header.resizeSection(COL_NAME, max(NAME_MIN, min(header.sectionSize(COL_NAME), room)))

    def select_model(self, name: str) -> bool:
        return select_key(self.table, name)

    def select_first(self) -> None:
        if self.proxy.rowCount() > 0:
            self.table.selectRow(0)
