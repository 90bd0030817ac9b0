"""A model's History: who held each alias and stage when, and its audit log, checked.

Built from the local cache only (the audit tags mirrored from the server, the moves the
app observed, the last state seen), so it reads the same offline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from modelhub_desktop.core import audit
from modelhub_desktop.core.alias_timeline import (
    Move,
    Span,
    build_spans,
    current_slots,
    held_at,
    join,
    moves_from_events,
    to_csv,
)


@dataclass(frozen=True)
class ModelHistory:
    """Everything the History view shows for one model."""

    model_name: str
    spans: tuple[Span, ...]
    events: tuple[audit.AuditEvent, ...]
    report: audit.ChainReport

    @property
    def slots(self) -> list[str]:
        """Aliases first, then stages, each sorted."""
        names = {s.slot for s in self.spans}
        return sorted(names, key=lambda s: (not s.startswith("@"), s.casefold()))

    def status_of(self, key: str) -> audit.Status | None:
        return self.report.status_of(key) if key else None

    def span_broken(self, span: Span) -> bool:
        """The audit entry a span starts from fails verification."""
        status = self.status_of(span.start_key)
        return status is not None and status != "ok"

    def message_of(self, key: str) -> str:
        return next((e.message for e in self.report.entries if e.key == key), "")

    def held_at(self, slot: str, at: int) -> list[Span]:
        return held_at(self.spans, slot, at)

    def csv(self) -> str:
        return to_csv(self.spans)


def model_history(model_name: str, audit_tags: Mapping[str, str], observed: Sequence[Move],
                  aliases: Mapping[str, int], stages: Mapping[int, str] | None,
                  seen_at: int | None) -> ModelHistory:
    """The history from the mirrored audit tags, the observed moves and the state seen
    at `seen_at` (the last look at the server)."""
    events, _ = audit.read_tags(audit_tags)
    spans = build_spans(join(moves_from_events(events), observed),
                        current_slots(aliases, stages), now=seen_at)
    return ModelHistory(model_name, tuple(spans), tuple(events), audit.verify(audit_tags))
