"""One promotion request: who asked for what, the pass/fail checklist, the decisions so
far, and the actions the signed-in user may take (the others disabled, saying why)."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from modelhub_desktop.core.formatting import fmt_ts
from modelhub_desktop.core.requests import PromotionRequest, Reviewer, may_approve, may_cancel
from modelhub_desktop.ui.elided_label import ElidedLabel

_MARK = {"pass": ("✔", "#1a7f37"), "fail": ("✘", "#cf222e"), "skipped": ("–", "#6e7781")}


def header_line(req: PromotionRequest) -> str:
    """One line under the title: the move, who asked and when, approvals, state."""
    holder = f"v{req.holder_at_request}" if req.holder_at_request else "nothing"
    return (f"v{req.version} → {req.target.label} (now held by {holder}) · asked by "
            f"{req.requester} on {fmt_ts(req.created)} · {len(req.approvers)} of "
            f"{req.required_approvals} approvals · {req.state}"
            + (f" · {req.result}" if req.result else ""))


def checklist_html(req: PromotionRequest) -> str:
    """The request's comment, checklist and decisions as rich text (the title and header
    line above it are elided labels: names may be hundreds of characters long)."""
    e = escape
    over = set(req.overridden)
    rows = []
    for c in req.checks:
        mark, color = _MARK[c.status]
        note = " <i>(overridden)</i>" if c.id in over else ""
        rows.append(f'<tr><td style="color:{color}; font-weight:bold">{mark} {c.status}</td>'
                    f"<td><b>{e(c.title)}</b>{note}<br/>{e(c.message)}</td></tr>")
    checks = (f'<table cellspacing="0" cellpadding="4">{"".join(rows)}</table>' if rows
              else "<p><i>No checks run yet.</i></p>")
    decisions = "".join(
        f"<li>{e(fmt_ts(d.when))}: <b>{e(d.who)}</b> {e(d.kind)}d"
        + (f" — {e(d.reason)}" if d.reason else "")
        + (f" (overrode {e(', '.join(d.overrides))})" if d.overrides else "") + "</li>"
        for d in req.decisions)
    return ((f"<p>“{e(req.comment)}”</p>" if req.comment else "")
            + f"<h3>Checks{' (' + e(fmt_ts(req.checked_at)) + ')' if req.checked_at else ''}"
            f"</h3>{checks}"
            + (f"<h3>Decisions</h3><ul>{decisions}</ul>" if decisions else ""))


class RequestDetail(QWidget):
    approveClicked = Signal(object)  # noqa: N815 - PromotionRequest
    rejectClicked = Signal(object)  # noqa: N815
    cancelClicked = Signal(object)  # noqa: N815
    recheckClicked = Signal(object)  # noqa: N815
    cardClicked = Signal(object)  # noqa: N815

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestDetail")
        self.request: PromotionRequest | None = None
        self.title = ElidedLabel("Select a request", bold=True, point_delta=1.5,
                                 object_name="requestTitle", max_hint=480)
        self.header = ElidedLabel(object_name="requestHeader", max_hint=480,
                                  mode=Qt.TextElideMode.ElideRight)
        self.body = QTextBrowser()
        self.body.setObjectName("requestChecklist")
        self.body.setOpenLinks(False)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, signal in (("approve", "Approve…", self.approveClicked),
                                  ("reject", "Reject…", self.rejectClicked),
                                  ("cancel", "Cancel request…", self.cancelClicked),
                                  ("recheck", "Run checks", self.recheckClicked),
                                  ("card", "Model card…", self.cardClicked)):
            button = QPushButton(text)
            button.setObjectName(f"request_{key}")
            button.clicked.connect(lambda _=False, s=signal: self._emit(s))
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.header)
        layout.addWidget(self.body, 1)
        layout.addLayout(row)
        self.set_request(None)

    def _emit(self, signal: Any) -> None:
        if self.request is not None:
            signal.emit(self.request)

    def set_request(self, req: PromotionRequest | None, who: Reviewer | None = None,
                    online: bool = True) -> None:
        """Show `req`; buttons follow separation of duties, permission and online state."""
        self.request = req
        if req is None:
            self.title.setText("Select a request")
            self.header.setText("")
            self.body.setHtml("<p><i>No request selected.</i></p>")
            for button in self.buttons.values():
                button.setEnabled(False)
                button.setToolTip("")
            return
        self.title.setText(f"{req.model_name} v{req.version} → {req.target.label}")
        self.header.setText(header_line(req))
        self.body.setHtml(checklist_html(req))
        offline = "" if online else "Offline: decisions need the server."
        who_missing = "" if who is not None else "Checking your permissions…"
        approve = reject = cancel = offline or who_missing
        if not approve and who is not None:
            approve = reject = may_approve(req, who)[1]
            cancel = may_cancel(req, who)[1]
        pending = "" if not req.is_final else f"This request was already {req.state}."
        states = {"approve": approve, "reject": reject, "cancel": cancel,
                  "recheck": offline or pending, "card": ""}
        for key, why in states.items():
            self.buttons[key].setEnabled(not why)
            self.buttons[key].setToolTip(why)
        if req.failing_checks and not approve:
            self.buttons["approve"].setToolTip(
                f"{len(req.failing_checks)} failing check(s): approving asks you to "
                "override them with a reason.")
