"""The Inbox: pending promotion requests across models, or every request of one model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.formatting import fmt_ts
from modelhub_desktop.core.requests import PromotionRequest
from modelhub_desktop.ui.models.record_table import OBJECT_ROLE, RecordSortProxy
from modelhub_desktop.ui.models.requests_model import RequestsModel
from modelhub_desktop.ui.views.request_detail import RequestDetail
from modelhub_desktop.ui.views.tables import make_table, select_key


def offline_note(cached_at: int | None) -> str:
    """The Inbox's note when it shows the mirror instead of the server."""
    when = f"as read on {fmt_ts(cached_at)}" if cached_at else "none read yet on this machine"
    return (f"Offline: cached requests ({when}). Approve, reject and cancel need the server "
            "and are disabled until it answers again.")


class InboxView(QWidget):
    """A table of requests over the selected request's detail."""

    refreshRequested = Signal()  # noqa: N815
    scopeChanged = Signal(bool)  # noqa: N815 - True: only the current model, every state
    requestSelected = Signal(object)  # noqa: N815 - PromotionRequest | None
    auditReportRequested = Signal()  # noqa: N815
    policyRequested = Signal()  # noqa: N815

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxView")
        self.model = RequestsModel(self)
        self.proxy = RecordSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table("requestsTable")
        self.table.setModel(self.proxy)
        self.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.heading = QLabel("Pending requests")
        self.heading.setObjectName("inboxHeading")
        self.model_only = QCheckBox("Only this model, all states")
        self.model_only.setObjectName("inboxModelOnly")
        self.model_only.toggled.connect(self.scopeChanged)
        refresh = QPushButton("Refresh")
        refresh.setObjectName("inboxRefresh")
        refresh.clicked.connect(self.refreshRequested)
        report = QPushButton("Audit report…")
        report.setObjectName("auditReportButton")
        report.setToolTip("Governance events of the current model as CSV or HTML, with the "
                          "audit chain's verification")
        report.clicked.connect(self.auditReportRequested)
        policy = QPushButton("Policy…")
        policy.setObjectName("inboxPolicy")
        policy.setToolTip("Approvals required, approvers and check rules of this connection "
                          "and of each model")
        policy.clicked.connect(self.policyRequested)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.model_only)
        top.addWidget(policy)
        top.addWidget(report)
        top.addWidget(refresh)
        self.note = QLabel("")
        self.note.setObjectName("inboxOfflineNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("background: #fff8c5; padding: 4px;")
        self.note.hide()
        self.detail = RequestDetail()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([240, 360])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)

    def set_requests(self, requests: list[PromotionRequest], heading: str) -> None:
        current = self.current_request()
        self.model.set_records(requests)
        self.heading.setText(heading)
        for col in range(self.model.columnCount() - 1):
            self.table.resizeColumnToContents(col)
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), 260))
        if current is None or not select_key(self.table, current.id):
            if self.proxy.rowCount():
                self.table.selectRow(0)
            else:
                self.detail.set_request(None)
                self.requestSelected.emit(None)

    def set_note(self, text: str) -> None:
        """A line above the table (e.g. that the list is cached, read offline); "" hides it."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def select(self, request_id: str) -> bool:
        return select_key(self.table, request_id)

    def current_request(self) -> PromotionRequest | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        record = self.proxy.data(index, OBJECT_ROLE)
        return record if isinstance(record, PromotionRequest) else None

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        record = self.proxy.data(current, OBJECT_ROLE) if current.isValid() else None
        req = record if isinstance(record, PromotionRequest) else None
        self.detail.set_request(req)  # buttons stay off until the reviewer is known
        self.requestSelected.emit(req)
