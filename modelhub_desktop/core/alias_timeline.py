"""Who held each alias and stage, from when to when.

MLflow keeps no history of alias moves and changes no timestamp when one happens, so the
timeline is joined from two sources: the app's own audit events (exact time, who, why)
and moves the cache noticed between two syncs (made by other clients; their time is when
the app noticed, the move itself happened at or before it). Observed moves that the
audit trail already explains are dropped, so the app's own moves appear once.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Literal

from modelhub_desktop.core.audit import AuditEvent
from modelhub_desktop.core.domain import Change

Source = Literal["audit", "observed", "unknown"]
STAGE_PREFIX = "stage:"
_NO_STAGE = ("", "None")


def alias_slot(alias: str) -> str:
    return "@" + alias


def stage_slot(stage: str) -> str:
    return STAGE_PREFIX + stage


@dataclass(frozen=True)
class Move:
    """One version entering or leaving one slot (an alias or a stage)."""

    slot: str
    version: int
    enters: bool
    at: int  # ms since epoch
    source: Source
    who: str = ""
    reason: str = ""
    key: str = ""  # the audit tag it came from, if any


@dataclass(frozen=True)
class Span:
    """A version holding a slot: `start` None = before the known history, `end` None = now."""

    slot: str
    version: int
    start: int | None
    end: int | None
    start_source: Source = "unknown"
    started_by: str = ""
    reason: str = ""
    end_source: Source | None = None
    ended_by: str = ""
    start_key: str = ""
    #: an unknown start is later than this (the last time the slot was seen held by another)
    not_before: int | None = None


def moves_from_events(events: Iterable[AuditEvent]) -> list[Move]:
    """The slot moves recorded in audit events (request/check events move nothing)."""
    out: list[Move] = []
    for ev in events:
        def move(slot: str, version: int, enters: bool, ev: AuditEvent = ev) -> Move:
            return Move(slot, version, enters, ev.when, "audit", ev.who, ev.reason, ev.key)

        if ev.action.startswith("alias.") and ev.target.startswith("@"):
            if ev.from_.isdigit():
                out.append(move(ev.target, int(ev.from_), False))
            if ev.to.isdigit():
                out.append(move(ev.target, int(ev.to), True))
        elif ev.action.startswith("stage.") and ev.target[1:].isdigit():
            version = int(ev.target[1:])
            if ev.from_ not in _NO_STAGE:
                out.append(move(stage_slot(ev.from_), version, False))
            if ev.to not in _NO_STAGE:
                out.append(move(stage_slot(ev.to), version, True))
            for old in ev.archived:
                out.append(move(stage_slot(ev.to), old, False))
                out.append(move(stage_slot("Archived"), old, True))
    return out


_ALIAS_MOVED = re.compile(r"^([\w\-]+): v(\d+) -> v(\d+)$")
_ALIAS_SET = re.compile(r"^([\w\-]+): set to v(\d+)$")
_ALIAS_REMOVED = re.compile(r"^([\w\-]+): removed \(was v(\d+)\)$")
_STAGE_MOVED = re.compile(r"^v(\d+): (.+?) -> (.+)$")


def moves_from_changes(changes: Iterable[Change]) -> list[Move]:
    """Alias and stage moves among the cache's "what changed" records (core/sync.py)."""
    out: list[Move] = []
    for ch in changes:
        if ch.kind == "alias_moved":
            if m := _ALIAS_MOVED.match(ch.detail):
                out += [Move(alias_slot(m[1]), int(m[2]), False, ch.at, "observed"),
                        Move(alias_slot(m[1]), int(m[3]), True, ch.at, "observed")]
            elif m := _ALIAS_SET.match(ch.detail):
                out.append(Move(alias_slot(m[1]), int(m[2]), True, ch.at, "observed"))
            elif m := _ALIAS_REMOVED.match(ch.detail):
                out.append(Move(alias_slot(m[1]), int(m[2]), False, ch.at, "observed"))
        elif ch.kind == "stage_moved" and (m := _STAGE_MOVED.match(ch.detail)):
            version = int(m[1])
            if m[2] not in _NO_STAGE:
                out.append(Move(stage_slot(m[2]), version, False, ch.at, "observed"))
            if m[3] not in _NO_STAGE:
                out.append(Move(stage_slot(m[3]), version, True, ch.at, "observed"))
    return out


def observed_alias_moves(before: Mapping[str, int], after: Mapping[str, int],
                         at: int) -> list[Move]:
    """Moves seen by comparing two alias maps (alias -> version) taken at different times."""
    out: list[Move] = []
    for alias in sorted(set(before) | set(after)):
        old, new = before.get(alias), after.get(alias)
        if old == new:
            continue
        if old is not None:
            out.append(Move(alias_slot(alias), old, False, at, "observed"))
        if new is not None:
            out.append(Move(alias_slot(alias), new, True, at, "observed"))
    return out


def slot_moves(before: Mapping[str, Sequence[int]], after: Mapping[str, Sequence[int]],
               at: int) -> list[Move]:
    """Moves seen by comparing two slot maps (slot -> versions holding it): aliases have one
    holder, stages any number."""
    out: list[Move] = []
    for slot in sorted(set(before) | set(after)):
        old, new = set(before.get(slot, ())), set(after.get(slot, ()))
        out += [Move(slot, v, False, at, "observed") for v in sorted(old - new)]
        out += [Move(slot, v, True, at, "observed") for v in sorted(new - old)]
    return out


def join(audited: Sequence[Move], observed: Sequence[Move]) -> list[Move]:
    """Audit moves plus the observed moves the audit trail does not explain, by time.

    An observed move is explained by an audit move of the same version into (or out of)
    the same slot made at or before it and after the previous observation of that pair.
    """
    used: set[int] = set()
    kept: list[Move] = []
    last_seen: dict[tuple[str, int], int] = {}
    for ob in sorted(observed, key=lambda m: m.at):
        pair = (ob.slot, ob.version)
        floor = last_seen.get(pair)
        candidates = [i for i, au in enumerate(audited)
                      if i not in used and (au.slot, au.version, au.enters) == (*pair, ob.enters)
                      and au.at <= ob.at and (floor is None or au.at > floor)]
        if candidates:
            used.add(max(candidates, key=lambda i: audited[i].at))
        else:
            kept.append(ob)
        last_seen[pair] = ob.at
    return sorted([*audited, *kept], key=lambda m: (m.at, m.enters))


def build_spans(moves: Sequence[Move], current: Mapping[str, Sequence[int]] | None = None,
                now: int | None = None) -> list[Span]:
    """Holding spans from moves (joined, any order). An alias has one holder at a time, so
    a version entering it ends the previous holder's span.

    `current` (slot -> versions holding it, as read at time `now`) is the server's state:
    it is authoritative for every alias and for the stages it names. With `now`, what
    differs from the history counts as observed at `now`: spans it left open end, new
    holders start. A holder of a slot with no history at all started before the history.
    """
    open_: dict[tuple[str, int], Span] = {}
    done: list[Span] = []

    def close(span: Span, at: int, source: Source, who: str = "") -> None:
        done.append(replace(span, end=at, end_source=source, ended_by=who))
        del open_[(span.slot, span.version)]

    for mv in sorted(moves, key=lambda m: (m.at, m.enters)):
        pair = (mv.slot, mv.version)
        if mv.enters:
            if pair in open_:
                continue
            if mv.slot.startswith("@"):
                for span in [s for s in open_.values() if s.slot == mv.slot]:
                    close(span, mv.at, mv.source, mv.who)
            open_[pair] = Span(mv.slot, mv.version, mv.at, None, mv.source, mv.who, mv.reason,
                               start_key=mv.key)
        elif pair in open_:
            close(open_[pair], mv.at, mv.source, mv.who)
        else:  # it arrived unseen: before the history, or (an alias) after its last holder
            seen = [s for s in [*done, *open_.values()] if s.slot == mv.slot]
            after = max((s.end or s.start or 0 for s in seen), default=0) or None
            if mv.slot.startswith("@"):
                for span in [s for s in open_.values() if s.slot == mv.slot]:
                    close(span, mv.at, "unknown")
            done.append(Span(mv.slot, mv.version, None, mv.at, "unknown", end_source=mv.source,
                             ended_by=mv.who, not_before=after))
    if current is not None:
        holding = {(slot, v) for slot, versions in current.items() for v in versions}
        if now is not None:
            for pair, span in list(open_.items()):
                if pair not in holding and (span.slot.startswith("@") or span.slot in current):
                    close(span, now, "observed")
        for slot, version in sorted(holding - set(open_)):
            # an alias has one holder: it arrived after the last one the history knows
            ends = [s.end for s in done if s.slot == slot and s.end
                    and (slot.startswith("@") or s.version == version)]
            if not ends:
                open_[(slot, version)] = Span(slot, version, None, None)
            elif now is not None:
                open_[(slot, version)] = Span(slot, version, now, None, "observed")
            else:
                open_[(slot, version)] = Span(slot, version, None, None, not_before=max(ends))
    spans = done + list(open_.values())
    return sorted(spans, key=lambda s: (s.slot, s.start or s.not_before or 0, s.version))


def current_slots(aliases: Mapping[str, int],
                  stages: Mapping[int, str] | None = None) -> dict[str, list[int]]:
    """slot -> versions holding it, from an alias map and version -> stage."""
    out: dict[str, list[int]] = {alias_slot(a): [v] for a, v in aliases.items()}
    for version, stage in sorted((stages or {}).items()):
        if stage not in _NO_STAGE:
            out.setdefault(stage_slot(stage), []).append(version)
    return out


def held_at(spans: Iterable[Span], slot: str, at: int) -> list[Span]:
    """The spans of `slot` covering time `at` (ms): "what was @champion on that date?".

    Where the history has a gap (a move nobody saw), every possible holder is returned."""
    return [s for s in spans if s.slot == slot and (s.end is None or at < s.end)
            and (s.start <= at if s.start is not None
                 else s.not_before is None or s.not_before < at)]


def previous_holder(spans: Sequence[Span], slot: str) -> int | None:
    """The version that held `slot` before its current holder (for a roll back)."""
    ordered = sorted((s for s in spans if s.slot == slot),
                     key=lambda s: s.start or s.not_before or 0)
    current = [s for s in ordered if s.end is None]
    if not current:
        return ordered[-1].version if ordered else None
    now = current[-1]
    before = [s for s in ordered if s.end is not None and s.version != now.version
              and (now.start is None or s.end <= now.start)]
    return max(before, key=lambda s: s.end or 0).version if before else None


def _iso(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds")


CSV_HEADER = ("slot", "version", "from", "to", "started_by", "start_source", "ended_by",
              "end_source", "reason")


def to_csv(spans: Iterable[Span]) -> str:
    """The timeline as CSV text (UTC ISO times; empty `from` = before the known history,
    `after <time>` = an unseen move after that time, empty `to` = still holding,
    `observed` = the time the app noticed the move)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for s in spans:
        start = _iso(s.start) or ("after " + _iso(s.not_before) if s.not_before else "")
        writer.writerow((s.slot, s.version, start, _iso(s.end), s.started_by,
                         s.start_source, s.ended_by, s.end_source or "", s.reason))
    return buf.getvalue()
