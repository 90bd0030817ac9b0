"""`deletedModelsView`: the registry-wide audit log — models deleted or renamed, by whom,
when and why — read from the "ModelHub audit" experiment (core/registry_audit.py), with
its hash chain verified like a model's. Opened from the History tab as its own window.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from modelhub_desktop.core import audit
from modelhub_desktop.core.formatting import plural
from modelhub_desktop.core.registry_audit import EXPERIMENT_NAME
from modelhub_desktop.ui.models.history_model import EventRow, EventTableModel
from modelhub_desktop.ui.models.record_table import RecordSortProxy
from modelhub_desktop.ui.views.tables import make_table

BROKEN_STYLE = "QLabel { color: #b00020; font-weight: bold; }"


class DeletedModelsView(QWidget):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("deletedModelsView")
        self.setWindowTitle("Deleted and renamed models")
        self.resize(760, 380)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        intro = QLabel(f"Recorded on the server in the experiment <b>{EXPERIMENT_NAME}</b>, "
                       "where every client can read it: a deleted model's own audit trail "
                       "went with it.")
        intro.setWordWrap(True)
        top.addWidget(intro, 1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("deletedModelsRefresh")
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.broken = QLabel("")
        self.broken.setObjectName("deletedModelsBroken")
        self.broken.setStyleSheet(BROKEN_STYLE)
        self.broken.setWordWrap(True)
        self.broken.hide()
        layout.addWidget(self.broken)
        self.events = EventTableModel(self)
        self.proxy = RecordSortProxy(self)
        self.proxy.setSourceModel(self.events)
        self.table = make_table("deletedModelsTable", self)
        self.table.setModel(self.proxy)
        layout.addWidget(self.table, 1)
        self.note = QLabel("")
        self.note.setObjectName("deletedModelsNote")
        self.note.setWordWrap(True)
        self.note.setEnabled(False)
        layout.addWidget(self.note)

    def set_log(self, tags: Mapping[str, str], note: str = "") -> None:
        """Show the log's audit tags (as mirrored or just read), newest first."""
        events, _problems = audit.read_tags(tags)
        by_key = {e.key: e for e in events}
        report = audit.verify(tags)
        self.events.set_records([EventRow(by_key.get(c.key), c.key, c.status, c.message)
                                 for c in report.entries], reset=True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.resizeColumnsToContents()
        broken = report.broken
        self.broken.setText(
            f"{plural(len(broken), 'entry', 'entries')} failed verification: "
            + " ".join(c.message for c in broken[:3]) if broken else "")
        self.broken.setVisible(bool(broken))
        self.note.setText(note or ("No model was deleted or renamed through ModelHub yet."
                                   if not events else ""))
