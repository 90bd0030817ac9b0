"""Right-top pane: the `modelHeader`, quick filter, Columns… chooser and the `versionTable`.

Which columns show, their order and widths are remembered per profile and model. Rows
arrive as a `RowBatch` made on a worker (`show_rows`); an empty model says so in the
table instead of showing an empty grid.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelection,
    QObject,
    QPoint,
    QSettings,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.domain import ModelVersion, RegisteredModel, RunData
from modelhub_desktop.core.formatting import plural
from modelhub_desktop.core.sync import VersionsPage
from modelhub_desktop.ui.elided_label import ElidedLabel
from modelhub_desktop.ui.models.record_table import OBJECT_ROLE, RecordSortProxy
from modelhub_desktop.ui.models.version_rows import row_stamp
from modelhub_desktop.ui.models.version_table_model import (
    ALIASES_ROLE,
    DEFAULT_FIELDS,
    KeyStats,
    RowBatch,
    VersionRow,
    VersionTableModel,
    default_column_ids,
    prepare_rows,
)
from modelhub_desktop.ui.views.column_chooser import ColumnChooser
from modelhub_desktop.ui.views.delegates import AliasBadgeDelegate
from modelhub_desktop.ui.views.model_header import ModelHeader
from modelhub_desktop.ui.views.tables import make_filter_edit, make_table, select_key


class VersionTableView(QWidget):
    versionSelected = Signal(object)  # noqa: N815 - VersionRow | None
    compareRequested = Signal()  # noqa: N815
    #: a context menu is about to open over these rows: listeners add their actions to it
    menuRequested = Signal(object, object)  # noqa: N815 - QMenu, list[VersionRow]

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = VersionTableModel(self)
        self.proxy = RecordSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self._settings: QSettings | None = None
        self._scope = ""
        self.model_name = ""
        self._columns_from_user = False
        self._empty_text = ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.title = ElidedLabel("Versions", bold=True, object_name="versionTableTitle",
                                  max_hint=240)
        top.addWidget(self.title, 1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("versionCount")
        top.addWidget(self.count_label)
        self.quick_filter = make_filter_edit("versionFilter", "Filter versions",
                                             self.proxy.set_quick_filter, width=240)
        top.addWidget(self.quick_filter)
        self.columns_button = QPushButton("Columns…")
        self.columns_button.setObjectName("columnsButton")
        self.columns_button.setToolTip("Choose params and metrics to show as columns (Ctrl+L)")
        self.columns_button.setShortcut(QKeySequence("Ctrl+L"))
        self.columns_button.clicked.connect(self.open_column_chooser)
        top.addWidget(self.columns_button)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setToolTip("Compare the selected versions on charts (Ctrl+M)")
        self.compare_button.clicked.connect(self.compareRequested)
        top.addWidget(self.compare_button)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("exportCsvButton")
        self.export_button.setToolTip("Save the table with its visible columns as CSV")
        self.export_button.clicked.connect(self._ask_export_csv)
        top.addWidget(self.export_button)
        layout.addLayout(top)
        self.model_header = ModelHeader(self)
        layout.addWidget(self.model_header)

        self.table = make_table("versionTable", self, multi_select=True)
        self.table.setModel(self.proxy)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.badges = AliasBadgeDelegate(ALIASES_ROLE, self.table)
        header = self.table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.sectionMoved.connect(lambda *_: self.save_header())
        header.sectionResized.connect(lambda *_: self.save_header())
        header.sortIndicatorChanged.connect(lambda *_: self.save_header())
        copy = QAction("Copy rows", self.table)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        self.table.addAction(copy)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._row_menu)
        layout.addWidget(self.table, 1)
        self.placeholder = QLabel("", self.table.viewport())
        self.placeholder.setObjectName("versionTablePlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setEnabled(False)  # drawn in the muted text colour
        self.placeholder.hide()
        self.table.viewport().installEventFilter(self)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._update_placeholder)
        self._apply_delegates()
        self.model.modelReset.connect(self._apply_delegates)

    # -- state scope -----------------------------------------------------------------------
    def set_scope(self, settings: QSettings, profile_key: str, model_name: str) -> None:
        """Columns and header state are stored under (profile, model)."""
        import hashlib

        self._settings = settings
        digest = hashlib.sha1(f"{profile_key}\n{model_name}".encode()).hexdigest()[:16]
        self._scope = f"versionTable/{digest}"
        self.set_model_name(model_name)
        stored = settings.value(f"{self._scope}/columns")
        self._columns_from_user = isinstance(stored, list) and bool(stored)
        if isinstance(stored, str) and stored:
            stored, self._columns_from_user = [stored], True
        self.model.set_column_ids(stored if self._columns_from_user else DEFAULT_FIELDS)
        directions = settings.value(f"{self._scope}/directions")
        if isinstance(directions, dict):
            for key, value in directions.items():
                self.model.set_direction(str(key), str(value))
        self.restore_header()

    def set_model_name(self, name: str) -> None:
        self.model_name = name
        self.title.setText(f"Versions of {name}" if name else "Versions", tooltip=name)

    def set_registered_model(self, model: RegisteredModel | None) -> None:
        """Header (tags, description) and title for the selected model."""
        if model is None or model.name != self.model_name:
            self.set_model_name(model.name if model else "")
        self.model_header.set_model(model)

    def _header_key(self) -> str:
        """Header state is only valid for the column set it was saved with."""
        import hashlib

        ids = "\n".join(self.model.column_ids())
        return f"{self._scope}/header-{hashlib.sha1(ids.encode()).hexdigest()[:12]}"

    def save_header(self) -> None:
        if self._settings is not None and self._scope and self.model.rowCount():
            self._settings.setValue(self._header_key(), self.table.horizontalHeader().saveState())

    def restore_header(self) -> None:
        if self._settings is None:
            return
        state = self._settings.value(self._header_key())
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.table.horizontalHeader().restoreState(state)
            header = self.table.horizontalHeader()
            self.proxy.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    # -- data ----------------------------------------------------------------------------
    def clear_rows(self, loading: bool = True) -> None:
        """No rows; the table says "Loading versions…" until `show_rows` (or nothing)."""
        self._empty_text = "Loading versions…" if loading else ""
        self.model.set_records([], reset=True)
        self._update_placeholder()

    def show_rows(self, batch: RowBatch, reset: bool = False) -> None:
        """Show a batch made by `prepare_rows` on a worker. Until the user picks columns,
        the batch's statistics choose them (the metrics most versions have), before the
        rows go in, so the rows are sorted and scanned once."""
        self._empty_text = "No versions yet"
        if not self._columns_from_user and batch.rows and batch.stats.metrics:
            ids = default_column_ids(batch.stats, batch.uses_stages)
            if ids != self.model.column_ids():
                self.model.set_records([], reset=True)
                self.model.set_column_ids(ids)
                self.model.set_rows(batch, reset=True)
                self.restore_header()
                self.fit_columns()
                self._update_placeholder()
                return
        self.model.set_rows(batch, reset=reset)
        if reset:
            self.fit_columns()
        self._update_placeholder()

    def append_page(self, page: VersionsPage) -> None:
        """Rows appear as pages arrive while loading; rows already shown are kept."""
        known = {r.key for r in self.model.records()}
        fresh = [VersionRow(v, page.runs.get(v.run_id)) for v in page.versions
                 if v.version not in known]
        first = self.model.rowCount() == 0
        self.model.append_records(fresh)
        if first and fresh:
            self.fit_columns()
            self.select_first()
        self._update_placeholder()

    def set_versions(self, versions: list[ModelVersion], runs: dict[str, RunData],
                     reset: bool = False, stats: KeyStats | None = None) -> None:
        """`show_rows` with the batch made here, on the UI thread (small models, tests);
        big models call `prepare_rows` on a worker and hand the batch to `show_rows`."""
        del stats  # the batch works them out
        self.show_rows(prepare_rows(versions, runs), reset=reset)

    def set_deployed_by(self, by_version: dict[int, str]) -> None:
        """The "Deployed by" cells: version -> the deployments serving it."""
        if all(r.deployed_by == by_version.get(r.key, "") for r in self.model.records()):
            return
        rows = [replace(r, deployed_by=by_version.get(r.key, ""),
                        stamp=row_stamp(r.version, r.run, by_version.get(r.key, "")))
                for r in self.model.records()]
        self.model.set_records(rows)

    def _update_placeholder(self, *_args: object) -> None:
        rows, shown = self.model.rowCount(), self.proxy.rowCount()
        self.count_label.setText(plural(rows, "version") if rows else "")
        if rows == 0:
            text = self._empty_text
        elif shown == 0:
            text = "No versions match the filter"
        else:
            text = ""
        self.placeholder.setText(text)
        self.placeholder.setVisible(bool(text))
        self._place_placeholder()

    def _place_placeholder(self) -> None:
        self.placeholder.setGeometry(self.table.viewport().rect().adjusted(12, 12, -12, -12))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._place_placeholder()
        return super().eventFilter(watched, event)

    def fit_columns(self, sample: int = 50) -> None:
        """Size columns to their text, measured on a sample of rows (fast on 2,000 rows)."""
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        bold = header.fontMetrics()
        rows = self.model.records()[:sample]
        for col, spec in enumerate(self.model.columns):
            width = bold.horizontalAdvance(spec.title) + 28
            for record in rows:
                width = max(width, metrics.horizontalAdvance(spec.display(record)) + 16)
            if spec.id == "aliases":
                width += 12 * max((len(r.version.aliases) for r in rows), default=0)
            header.resizeSection(col, max(56, min(width, 280)))

    def _apply_delegates(self) -> None:
        """Badges on the aliases column; the view's default delegate everywhere else."""
        default = self.table.itemDelegate()
        for col in range(self.model.columnCount()):
            self.table.setItemDelegateForColumn(col, default)
        if "aliases" in self.model.column_ids():
            self.table.setItemDelegateForColumn(self.model.column_ids().index("aliases"),
                                                self.badges)

    # -- column chooser ----------------------------------------------------------------------
    def open_column_chooser(self) -> ColumnChooser:
        chooser = ColumnChooser(self.model.key_stats(), self.model.column_ids(), self)
        chooser.columnsChosen.connect(self.set_column_ids)
        chooser.open()
        return chooser

    def set_column_ids(self, ids: list[str]) -> None:
        self.model.set_column_ids(ids)
        self._columns_from_user = True
        if self._settings is not None and self._scope:
            self._settings.setValue(f"{self._scope}/columns", self.model.column_ids())
        self.fit_columns()
        self.save_header()

    def _header_menu(self, pos: QPoint) -> None:
        header = self.table.horizontalHeader()
        col = header.logicalIndexAt(pos)
        menu = QMenu(self)
        ids = self.model.column_ids()
        if 0 <= col < len(ids) and ids[col].startswith("metric:"):
            key = ids[col][7:]
            current = self.model.direction(key)
            for direction, label in (("max", "Best is highest"), ("min", "Best is lowest")):
                act = menu.addAction(label)
                act.setCheckable(True)
                act.setChecked(current == direction)
                act.triggered.connect(lambda _=False, d=direction: self._set_direction(key, d))
            menu.addSeparator()
        if 0 <= col < len(ids) and ids[col] != "version":
            title = self.model.headerData(col, Qt.Orientation.Horizontal)
            hide = menu.addAction(f"Hide column “{title}”")
            hide.triggered.connect(lambda: self.set_column_ids([i for i in ids if i != ids[col]]))
        menu.addAction("Choose columns…", self.open_column_chooser)
        menu.addAction("Fit column widths", self.fit_columns)
        highlight = menu.addAction("Highlight best values")
        highlight.setCheckable(True)
        highlight.setChecked(self.model.highlight_best)
        highlight.triggered.connect(self._toggle_highlight)
        menu.popup(header.mapToGlobal(pos))

    def _row_menu(self, pos: QPoint) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        menu = QMenu(self)
        menu.setObjectName("versionMenu")
        self.menuRequested.emit(menu, rows)
        if not menu.isEmpty():
            menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _set_direction(self, key: str, direction: str) -> None:
        self.model.set_direction(key, direction)
        if self._settings is not None and self._scope:
            self._settings.setValue(f"{self._scope}/directions", self.model.directions())

    def _toggle_highlight(self, on: bool) -> None:
        self.model.highlight_best = on
        self.table.viewport().update()

    # -- selection -------------------------------------------------------------------------
    def _on_selection(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self.versionSelected.emit(self.current_row())

    def current_row(self) -> VersionRow | None:
        sm = self.table.selectionModel()
        index = sm.currentIndex()
        if index.isValid() and sm.isRowSelected(index.row()):
            return index.data(OBJECT_ROLE)
        rows = sm.selectedRows()
        return rows[0].data(OBJECT_ROLE) if rows else None

    def selected_rows(self) -> list[VersionRow]:
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [i.data(OBJECT_ROLE) for i in rows]

    def select_first(self) -> None:
        if self.proxy.rowCount() > 0:
            self.table.selectRow(0)

    def select_version(self, version: int) -> bool:
        return select_key(self.table, version)

    # -- copy / export ----------------------------------------------------------------------
    def _visible_columns(self) -> list[int]:
        header = self.table.horizontalHeader()
        return [header.logicalIndex(v) for v in range(header.count())
                if not header.isSectionHidden(header.logicalIndex(v))]

    def table_text(self, rows: list[int] | None = None, delimiter: str = "\t") -> str:
        """The table (or some proxy rows) as delimited text, header first, visible columns."""
        cols = self._visible_columns()
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        writer.writerow([self.model.headerData(c, Qt.Orientation.Horizontal) for c in cols])
        for r in rows if rows is not None else range(self.proxy.rowCount()):
            writer.writerow([self.proxy.index(r, c).data() or "" for c in cols])
        return out.getvalue()

    def copy_selection(self) -> None:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        if rows:
            QGuiApplication.clipboard().setText(self.table_text(rows))

    def export_csv(self, path: str | Path) -> Path:
        target = Path(path)
        target.write_text(self.table_text(delimiter=","), encoding="utf-8")
        return target

    def _ask_export_csv(self) -> None:
        name = (self.model_name or "versions").replace("/", "_")
        path, _ = QFileDialog.getSaveFileName(self, "Export versions", f"{name}-versions.csv",
                                              "CSV files (*.csv)")
        if path:
            self.export_csv(path)
