"""The `historyView`: who held each alias and stage of a model, from when to when.

Moves the app made come from its audit trail on the server; moves made by other clients
were observed between syncs and are marked so (their time is when the app noticed). An
audit entry that fails verification is marked broken. "What was @champion on <date>?"
is answered from the same timeline; the timeline exports to CSV.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.formatting import fmt_ts, plural
from modelhub_desktop.core.history import ModelHistory
from modelhub_desktop.ui.elided_label import ElidedLabel
from modelhub_desktop.ui.models.history_model import (
    EventRow,
    EventTableModel,
    SpanRow,
    SpanTableModel,
    slot_title,
    timeline_order,
)
from modelhub_desktop.ui.models.record_table import RecordSortProxy
from modelhub_desktop.ui.views.tables import make_table

BROKEN_STYLE = "QLabel { color: #b00020; font-weight: bold; }"


class HistoryView(QWidget):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyView")
        self.history: ModelHistory | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.title = ElidedLabel("History", bold=True, object_name="historyTitle", max_hint=360)
        top.addWidget(self.title, 1)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("historyExportButton")
        self.export_button.setToolTip("Save the alias and stage timeline as CSV")
        self.export_button.clicked.connect(self._ask_export)
        top.addWidget(self.export_button)
        #: the governance feature connects these two to its dialogs
        self.deleted_button = QPushButton("Deleted models…")
        self.deleted_button.setObjectName("historyDeletedButton")
        self.deleted_button.setToolTip("Models deleted or renamed, by whom and when (kept on "
                                       "the server, readable by every client)")
        top.addWidget(self.deleted_button)
        self.settings_button = QPushButton("Settings…")
        self.settings_button.setObjectName("historySettingsButton")
        self.settings_button.setToolTip("Promote alias names and the watch interval of this "
                                        "connection")
        top.addWidget(self.settings_button)
        layout.addLayout(top)

        ask = QHBoxLayout()
        ask.addWidget(QLabel("What was"))
        self.slot_combo = QComboBox()
        self.slot_combo.setObjectName("historySlot")
        self.slot_combo.setMinimumContentsLength(14)
        ask.addWidget(self.slot_combo)
        ask.addWidget(QLabel("on"))
        self.when_edit = QDateTimeEdit(QDateTime.currentDateTime())
        self.when_edit.setObjectName("historyWhen")
        self.when_edit.setCalendarPopup(True)
        self.when_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        ask.addWidget(self.when_edit)
        ask.addWidget(QLabel("?"))
        self.answer = QLabel("")
        self.answer.setObjectName("historyAnswer")
        self.answer.setStyleSheet("QLabel { font-weight: bold; }")
        self.answer.setWordWrap(True)  # long alias names must not widen the window
        self.answer.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ask.addWidget(self.answer, 1)
        layout.addLayout(ask)
        self.slot_combo.currentIndexChanged.connect(lambda _i: self._answer())
        self.when_edit.dateTimeChanged.connect(lambda _d: self._answer())

        self.broken = QLabel("")
        self.broken.setObjectName("historyBroken")
        self.broken.setStyleSheet(BROKEN_STYLE)
        self.broken.setWordWrap(True)
        self.broken.hide()
        layout.addWidget(self.broken)

        split = QSplitter(Qt.Orientation.Vertical)
        self.spans = SpanTableModel(self)
        self.span_proxy = RecordSortProxy(self)
        self.span_proxy.setSourceModel(self.spans)
        self.span_table = make_table("historyTimeline", self)
        self.span_table.setModel(self.span_proxy)
        self.events = EventTableModel(self)
        self.event_proxy = RecordSortProxy(self)
        self.event_proxy.setSourceModel(self.events)
        self.event_table = make_table("historyAudit", self)
        self.event_table.setModel(self.event_proxy)
        for label, table in (("Timeline (who held each alias and stage)", self.span_table),
                             ("Audit log on the server", self.event_table)):
            box = QWidget()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            heading = QLabel(label)
            heading.setStyleSheet("QLabel { font-weight: bold; }")
            inner.addWidget(heading)
            inner.addWidget(table, 1)
            split.addWidget(box)
        split.setSizes([320, 220])
        layout.addWidget(split, 1)
        self.note = QLabel("")
        self.note.setObjectName("historyNote")
        self.note.setWordWrap(True)
        self.note.setEnabled(False)
        layout.addWidget(self.note)
        self.set_history(None)

    # -- data ------------------------------------------------------------------------------
    def set_history(self, history: ModelHistory | None, note: str = "") -> None:
        """Show `history` (None: nothing selected)."""
        self.history = history
        self.export_button.setEnabled(history is not None and bool(history.spans))
        if history is None:
            self.title.setText("History")
            self.spans.set_records([], reset=True)
            self.events.set_records([], reset=True)
            self.slot_combo.clear()
            self.broken.hide()
            self.note.setText(note or "Select a model to see its history.")
            self._answer()
            return
        self.title.setText(f"History of {history.model_name}", tooltip=history.model_name)
        rows = [SpanRow(s, history.message_of(s.start_key) if history.span_broken(s) else "")
                for s in history.spans]
        self.spans.set_records(timeline_order(rows), reset=True)
        self.span_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        by_key = {e.key: e for e in history.events}
        events = [EventRow(by_key.get(c.key), c.key, c.status, c.message)
                  for c in history.report.entries]
        self.events.set_records(events, reset=True)
        self.event_table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        for table in (self.span_table, self.event_table):
            table.resizeColumnsToContents()
        broken = history.report.broken
        self.broken.setText(
            f"{plural(len(broken), 'audit entry', 'audit entries')} failed verification: "
            + " ".join(c.message for c in broken[:3]) if broken else "")
        self.broken.setVisible(bool(broken))
        current = self.slot_combo.currentText()
        self.slot_combo.blockSignals(True)
        self.slot_combo.clear()
        for slot in history.slots:
            self.slot_combo.addItem(slot_title(slot), slot)
        index = self.slot_combo.findText(current)
        self.slot_combo.setCurrentIndex(max(index, 0))
        self.slot_combo.blockSignals(False)
        self.note.setText(note or (
            "Rows in brown were observed: another client moved the alias or stage, and the "
            "time is when ModelHub noticed (the move happened at or before it)."))
        self._answer()

    def ask(self, slot: str, at_ms: int) -> None:
        """Set the question "what held `slot` at `at_ms`?" (the answer shows at once)."""
        index = self.slot_combo.findData(slot)
        if index >= 0:
            self.slot_combo.setCurrentIndex(index)
        self.when_edit.setDateTime(QDateTime.fromMSecsSinceEpoch(at_ms))
        self._answer()

    def _answer(self) -> None:
        history, slot = self.history, self.slot_combo.currentData()
        if history is None or not slot:
            self.answer.setText("")
            return
        at = self.when_edit.dateTime().toMSecsSinceEpoch()
        held = history.held_at(str(slot), at)
        name = slot_title(str(slot))
        if not held:
            self.answer.setText(f"No version held {name} then.")
        elif len(held) == 1 or not str(slot).startswith("@"):
            self.answer.setText(f"{name} on {fmt_ts(at)}: "
                                + ", ".join(f"v{s.version}" for s in held))
        else:
            self.answer.setText(f"{name} on {fmt_ts(at)}: one of "
                                + ", ".join(f"v{s.version}" for s in held)
                                + " (a move nobody saw falls in this time)")

    # -- export ----------------------------------------------------------------------------
    def export_csv(self, path: str | Path) -> Path:
        target = Path(path)
        target.write_text(self.history.csv() if self.history else "", encoding="utf-8")
        return target

    def _ask_export(self) -> None:
        if self.history is None:
            return
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.history.model_name)
        path, _ = QFileDialog.getSaveFileName(self, "Export history", f"{name}-history.csv",
                                              "CSV files (*.csv)")
        if path:
            self.export_csv(path)
