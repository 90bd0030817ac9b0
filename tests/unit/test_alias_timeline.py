"""The alias/stage timeline: audit events joined with moves observed between syncs."""

from __future__ import annotations

import csv
import io

from modelhub_desktop.core import audit
from modelhub_desktop.core.alias_timeline import (
    build_spans,
    current_slots,
    held_at,
    join,
    moves_from_changes,
    moves_from_events,
    observed_alias_moves,
    previous_holder,
    to_csv,
)
from modelhub_desktop.core.domain import Change, ModelVersion, RegisteredModel
from modelhub_desktop.core.sync import diff_models, diff_versions

DAY = 86_400_000
T0 = 1_760_000_000_000  # 2025-10-09


def events(*specs: tuple[int, str, str, str, str]) -> list[audit.AuditEvent]:
    out: list[audit.AuditEvent] = []
    for when, action, target, from_, to in specs:
        out.append(audit.next_event(out, who="alice", when=when, action=action, target=target,
                                    from_=from_, to=to, reason=f"{action} {to}"))
    return out


def test_audit_only_timeline_answers_held_at() -> None:
    evs = events((T0, "alias.set", "@champion", "", "1"),
                 (T0 + DAY, "alias.set", "@champion", "1", "2"),
                 (T0 + 3 * DAY, "alias.rollback", "@champion", "2", "1"))
    spans = build_spans(join(moves_from_events(evs), []), current_slots({"champion": 1}))
    assert [(s.version, s.start, s.end) for s in spans] == [
        (1, T0, T0 + DAY), (2, T0 + DAY, T0 + 3 * DAY), (1, T0 + 3 * DAY, None)]
    assert all(s.start_source == "audit" and s.started_by == "alice" for s in spans)
    assert held_at(spans, "@champion", T0 - 1) == []
    assert [s.version for s in held_at(spans, "@champion", T0 + DAY)] == [2]
    assert [s.version for s in held_at(spans, "@champion", T0 + 2 * DAY)] == [2]
    assert [s.version for s in held_at(spans, "@champion", T0 + 10 * DAY)] == [1]
    assert spans[1].reason == "alias.set 2" and spans[1].ended_by == "alice"


def test_observed_moves_of_other_clients_are_marked_and_own_moves_appear_once() -> None:
    evs = events((T0, "alias.set", "@champion", "", "1"),
                 (T0 + DAY, "alias.set", "@champion", "1", "2"))
    # the cache saw both of ours (after the fact) and one made by another client
    seen_ours = observed_alias_moves({}, {"champion": 1}, T0 + 100)
    seen_ours += observed_alias_moves({"champion": 1}, {"champion": 2}, T0 + DAY + 100)
    theirs = observed_alias_moves({"champion": 2}, {"champion": 3}, T0 + 2 * DAY)
    moves = join(moves_from_events(evs), seen_ours + theirs)
    assert [m.source for m in moves].count("observed") == 2  # v2 leaves, v3 enters
    spans = build_spans(moves, current_slots({"champion": 3}))
    assert [(s.version, s.start_source) for s in spans] == [
        (1, "audit"), (2, "audit"), (3, "observed")]
    assert spans[1].end_source == "observed" and spans[1].end == T0 + 2 * DAY
    assert [s.version for s in held_at(spans, "@champion", T0 + 5 * DAY)] == [3]
    assert previous_holder(spans, "@champion") == 2


def test_moves_from_sync_changes_match_what_sync_writes() -> None:
    before = [RegisteredModel("m", aliases={"champion": 1, "old": 4})]
    after = [RegisteredModel("m", aliases={"champion": 2, "new": 5})]
    changes = diff_models(before, after, T0)
    changes += diff_versions([ModelVersion("m", 2, current_stage="Staging")],
                             [ModelVersion("m", 2, current_stage="Production")], T0)
    changes.append(Change("tag_edited", "m", "tag a = 1 added", T0))
    moves = moves_from_changes(changes)
    got = {(m.slot, m.version, m.enters) for m in moves}
    assert got == {("@champion", 1, False), ("@champion", 2, True), ("@old", 4, False),
                   ("@new", 5, True), ("stage:Staging", 2, False),
                   ("stage:Production", 2, True)}
    assert all(m.source == "observed" and m.at == T0 for m in moves)


def test_holder_from_before_the_history_starts_unknown() -> None:
    theirs = observed_alias_moves({"champion": 7}, {"champion": 8}, T0)
    spans = build_spans(join([], theirs), current_slots({"champion": 8}))
    assert [(s.version, s.start, s.end, s.start_source) for s in spans] == [
        (7, None, T0, "unknown"), (8, T0, None, "observed")]
    assert [s.version for s in held_at(spans, "@champion", T0 - 5 * DAY)] == [7]
    assert previous_holder(spans, "@champion") == 7


def test_stage_transitions_with_archive_existing() -> None:
    evs = events((T0, "stage.transition", "v1", "None", "Production"))
    second = audit.next_event(evs, who="bob", when=T0 + DAY, action="stage.transition",
                              target="v2", from_="Staging", to="Production", archived=(1,))
    spans = build_spans(moves_from_events([*evs, second]),
                        current_slots({}, {1: "Archived", 2: "Production"}))
    prod = [(s.version, s.start, s.end) for s in spans if s.slot == "stage:Production"]
    assert prod == [(1, T0, T0 + DAY), (2, T0 + DAY, None)]
    assert [s.version for s in held_at(spans, "stage:Archived", T0 + 2 * DAY)] == [1]
    assert [s.version for s in held_at(spans, "stage:Production", T0 + DAY // 2)] == [1]
    assert previous_holder(spans, "stage:Production") == 1


def test_request_events_move_nothing() -> None:
    evs = events((T0, "request.create", "@champion", "1", "2"),
                 (T0 + 1, "request.approve", "@champion", "1", "2"),
                 (T0 + 2, "alias.set", "@champion", "1", "2"))
    moves = moves_from_events(evs)
    assert [(m.version, m.enters, m.at) for m in moves] == [(1, False, T0 + 2),
                                                            (2, True, T0 + 2)]


def test_csv_export() -> None:
    evs = events((T0, "alias.set", "@champion", "", "1"),
                 (T0 + DAY, "alias.set", "@champion", "1", "2"))
    theirs = observed_alias_moves({"champion": 2}, {"champion": 3}, T0 + 2 * DAY)
    spans = build_spans(join(moves_from_events(evs), theirs), current_slots({"champion": 3}))
    rows = list(csv.DictReader(io.StringIO(to_csv(spans))))
    assert [r["version"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["from"] == "2025-10-09T08:53:20+00:00" and rows[0]["started_by"] == "alice"
    assert rows[2]["start_source"] == "observed" and rows[2]["to"] == ""
    assert rows[1]["end_source"] == "observed"


def test_server_state_closes_what_the_history_left_open() -> None:
    evs = events((T0, "alias.set", "@champion", "", "1"),
                 (T0 + DAY, "alias.set", "@champion", "1", "2"),
                 (T0 + DAY, "alias.set", "@challenger", "", "2"))
    now = T0 + 3 * DAY
    # another client moved @champion to 3 and removed @challenger; no sync saw it
    spans = build_spans(moves_from_events(evs), current_slots({"champion": 3}), now=now)
    champion = [(s.version, s.start, s.end, s.end_source) for s in spans
                if s.slot == "@champion"]
    assert champion == [(1, T0, T0 + DAY, "audit"), (2, T0 + DAY, now, "observed"),
                        (3, now, None, None)]
    assert [s.start_source for s in spans if s.version == 3] == ["observed"]
    assert [s.end for s in spans if s.slot == "@challenger"] == [now]
    assert previous_holder(spans, "@champion") == 2
    assert [s.version for s in held_at(spans, "@champion", T0 + 2 * DAY)] == [2]
    assert [s.version for s in held_at(spans, "@champion", now)] == [3]
