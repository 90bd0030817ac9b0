"""Qt model of promotion requests (the Inbox and a model's request list)."""

from __future__ import annotations

from typing import Any

from modelhub_desktop.core.formatting import fmt_ts
from modelhub_desktop.core.requests import PromotionRequest
from modelhub_desktop.ui.models.record_table import Column, RecordTableModel


def checks_text(req: PromotionRequest) -> str:
    """"4 pass · 1 fail" ("not run" before any check)."""
    if not req.checks:
        return "not run"
    counts = [(s, sum(c.status == s for c in req.checks)) for s in ("pass", "fail", "skipped")]
    return " · ".join(f"{n} {s}" for s, n in counts if n)


def approvals_text(req: PromotionRequest) -> str:
    return f"{len(req.approvers)}/{req.required_approvals}"


REQUEST_COLUMNS: list[Column[PromotionRequest]] = [
    Column("model", "Model", lambda r: r.model_name, lambda r: r.model_name.casefold(),
           tooltip=lambda r: r.model_name),
    Column("version", "Version", lambda r: f"v{r.version}", lambda r: r.version,
           align_right=True),
    Column("target", "To", lambda r: r.target.label),
    Column("requester", "Asked by", lambda r: r.requester),
    Column("created", "Asked", lambda r: fmt_ts(r.created), lambda r: r.created),
    Column("checks", "Checks", checks_text, lambda r: (len(r.failing_checks), r.checked_at),
           tooltip=lambda r: "\n".join(f"{c.status}: {c.title} — {c.message}"
                                       for c in r.checks) or "No checks run yet."),
    Column("approvals", "Approvals", approvals_text, lambda r: len(r.approvers)),
    Column("state", "State", lambda r: r.state),
    Column("comment", "Comment", lambda r: r.comment, tooltip=lambda r: r.comment),
]


class RequestsModel(RecordTableModel[PromotionRequest]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(REQUEST_COLUMNS, key=lambda r: r.id, parent=parent)
