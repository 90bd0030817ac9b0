"""Qt model of the deployments the app knows (the `deploymentsView` table).

A row is a `DeploymentRecord` plus, for alias-following deployments, the version the
alias points at now: when that is not the served version the row is marked
("serves v2, @champion is v3") so the view can offer the update.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QBrush, QColor

from modelhub_desktop.core.deploy.base import FAILED, RUNNING, STOPPED, DeploymentRecord
from modelhub_desktop.core.deploy.service import alias_state
from modelhub_desktop.core.formatting import fmt_ts
from modelhub_desktop.ui.models.record_table import (
    BACKGROUND,
    FOREGROUND,
    Column,
    RecordTableModel,
)

DRIFT_BRUSH = QBrush(QColor(255, 196, 0, 70))
STATUS_COLOURS = {RUNNING: QColor(30, 130, 50), FAILED: QColor(190, 40, 40),
                  STOPPED: QColor(120, 120, 120)}


@dataclass(frozen=True)
class DeploymentRow:
    """One deployment and, when its alias moved, the version the alias names now."""

    record: DeploymentRecord
    alias_now: int | None = None
    alias_note: str = ""  # the service's sentence about the followed alias

    @property
    def key(self) -> str:
        return self.record.name

    @property
    def drift(self) -> str:
        if self.alias_now is None:
            return ""
        return f"serves v{self.record.version}, @{self.record.alias} is v{self.alias_now}"


def _status(row: DeploymentRow) -> str:
    text = row.record.status
    return f"{text} — {row.drift}" if row.drift else text


def _status_tip(row: DeploymentRow) -> str:
    return "\n".join(p for p in (row.record.status_detail, row.alias_note) if p)


COLUMNS: list[Column[DeploymentRow]] = [
    Column("name", "Name", lambda r: r.record.name),
    Column("model_uri", "Model URI", lambda r: r.record.model_uri),
    Column("version", "Version", lambda r: f"v{r.record.version}" if r.record.version else "",
           lambda r: r.record.version, align_right=True),
    Column("alias", "Alias followed", lambda r: f"@{r.record.alias}" if r.record.alias else "",
           lambda r: r.record.alias or None),
    Column("status", "Status", _status, tooltip=_status_tip),
    Column("endpoint", "Endpoint", lambda r: r.record.endpoint),
    Column("started", "Started", lambda r: fmt_ts(r.record.created_at),
           lambda r: r.record.created_at or None),
    Column("backend", "Backend", lambda r: r.record.backend),
]
COLUMN_IDS = [c.id for c in COLUMNS]


def make_rows(records: Sequence[DeploymentRecord],
              aliases: Mapping[str, Mapping[str, int]]) -> list[DeploymentRow]:
    """Rows for `records`; `aliases` is model name -> alias -> version (from the cache)."""
    rows = []
    for r in records:
        state = alias_state(r, aliases[r.model_name]) if r.model_name in aliases else None
        rows.append(DeploymentRow(r, state.current if state and state.stale else None,
                                  state.message if state else ""))
    return rows


class DeploymentsModel(RecordTableModel[DeploymentRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(COLUMNS, key=lambda r: r.key, parent=parent)

    def set_deployments(self, records: Sequence[DeploymentRecord],
                        aliases: Mapping[str, Mapping[str, int]]) -> None:
        self.set_records(make_rows(records, aliases))

    def extra_data(self, record: DeploymentRow, column: Column[DeploymentRow], col: int,
                   role: int) -> Any:
        if role == BACKGROUND and record.drift:
            return DRIFT_BRUSH
        if role == FOREGROUND and column.id == "status":
            colour = STATUS_COLOURS.get(record.record.status)
            return QBrush(colour) if colour is not None else None
        return None

    def column_of(self, column_id: str) -> int:
        return COLUMN_IDS.index(column_id)
