"""Qt models of the History view: who held each alias/stage when, and the audit log.

Rows whose audit entry fails verification are drawn in red and say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QBrush, QColor

from modelhub_desktop.core.alias_timeline import STAGE_PREFIX, Span
from modelhub_desktop.core.audit import AuditEvent
from modelhub_desktop.core.formatting import fmt_ts
from modelhub_desktop.ui.models.record_table import FOREGROUND, Column, RecordTableModel

BROKEN_BRUSH = QBrush(QColor(176, 0, 32))
OBSERVED_BRUSH = QBrush(QColor(110, 80, 0))
SOURCE_WORDS = {"audit": "recorded by ModelHub", "observed": "observed (another client)",
                "unknown": "before known history"}


def slot_title(slot: str) -> str:
    return slot[len(STAGE_PREFIX):] if slot.startswith(STAGE_PREFIX) else slot


@dataclass(frozen=True)
class SpanRow:
    span: Span
    check: str = ""  # why the audit entry it starts from is broken; "" = fine

    @property
    def key(self) -> tuple[str, int, int]:
        s = self.span
        return s.slot, s.version, s.start or s.not_before or 0

    @property
    def slot_key(self) -> str:
        """Aliases before stages, each by name."""
        return ("0" if self.span.slot.startswith("@") else "1") + self.span.slot.casefold()


def timeline_order(rows: list[SpanRow]) -> list[SpanRow]:
    """Grouped by alias/stage, newest holder first (the table's sort keeps this order
    within a group)."""
    return sorted(rows, key=lambda r: (r.slot_key, -(r.span.start or r.span.not_before or 0)))


def _start(r: SpanRow) -> str:
    s = r.span
    if s.start is not None:
        return fmt_ts(s.start)
    return f"after {fmt_ts(s.not_before)}" if s.not_before else "(before known history)"


def _how(r: SpanRow) -> str:
    text = SOURCE_WORDS.get(r.span.start_source, r.span.start_source)
    return f"BROKEN audit entry — {text}" if r.check else text


SPAN_COLUMNS: list[Column[SpanRow]] = [
    Column("slot", "Alias / stage", lambda r: slot_title(r.span.slot), lambda r: r.slot_key),
    Column("version", "Version", lambda r: f"v{r.span.version}", lambda r: r.span.version,
           align_right=True),
    Column("from", "From", _start, lambda r: r.span.start or r.span.not_before or 0),
    Column("to", "To", lambda r: fmt_ts(r.span.end) if r.span.end else "now",
           lambda r: r.span.end or 2**62),
    Column("by", "Moved by", lambda r: r.span.started_by or "—"),
    Column("how", "How known", _how, tooltip=lambda r: r.check or _how(r)),
    Column("reason", "Reason", lambda r: r.span.reason, tooltip=lambda r: r.span.reason),
]


class SpanTableModel(RecordTableModel[SpanRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(SPAN_COLUMNS, key=lambda r: r.key, parent=parent)

    def extra_data(self, record: SpanRow, column: Column[SpanRow], col: int, role: int) -> Any:
        if role == FOREGROUND:
            if record.check:
                return BROKEN_BRUSH
            if record.span.start_source == "observed":
                return OBSERVED_BRUSH
        return None


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent | None  # None: an entry too damaged to read
    key: str
    status: str  # ok | altered | unlinked | unreadable
    message: str = ""


def _what(r: EventRow) -> str:
    e = r.event
    if e is None:
        return ""
    if e.action == "model.delete":
        return f"model deleted: {e.from_}"
    if e.action == "model.rename":
        return f"model renamed: {e.from_} → {e.to}"
    frm, to = e.from_ or "—", e.to or "—"
    return f"{e.action} {e.target}: {frm} → {to}"


EVENT_COLUMNS: list[Column[EventRow]] = [
    Column("seq", "#", lambda r: str(r.event.seq) if r.event else "?",
           lambda r: r.event.seq if r.event else None, align_right=True),
    Column("when", "When", lambda r: fmt_ts(r.event.when) if r.event else "",
           lambda r: r.event.when if r.event else None),
    Column("who", "Who", lambda r: r.event.who if r.event else ""),
    Column("what", "What", _what, tooltip=_what),
    Column("reason", "Reason", lambda r: r.event.reason if r.event else "",
           tooltip=lambda r: r.event.reason if r.event else ""),
    Column("check", "Check", lambda r: "ok" if r.status == "ok"
           else f"BROKEN ({r.status}): {r.message}", tooltip=lambda r: r.message or r.key),
]


class EventTableModel(RecordTableModel[EventRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(EVENT_COLUMNS, key=lambda r: r.key, parent=parent)

    def extra_data(self, record: EventRow, column: Column[EventRow], col: int, role: int) -> Any:
        if role == FOREGROUND and record.status != "ok":
            return BROKEN_BRUSH
        return None
