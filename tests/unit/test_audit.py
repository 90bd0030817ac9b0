"""Audit events: encoding to one tag, size limit, hash chain and its verification."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from modelhub_desktop.core import audit
from modelhub_desktop.core.audit import AuditFormatError, decode, encode, next_event, verify
from modelhub_desktop.core.errors import InvalidInput

T0 = 1_760_000_000_000


def chain(n: int) -> dict[str, str]:
    """Tags of a model after `n` alias moves."""
    tags: dict[str, str] = {"owner": "team-a"}
    events: list[audit.AuditEvent] = []
    for i in range(n):
        ev = next_event(events, who="alice", when=T0 + i, action="alias.set",
                        target="@champion", from_=str(i) if i else "", to=str(i + 1),
                        reason=f"move {i}")
        events.append(ev)
        key, value = encode(ev)
        tags[key] = value
    return tags


def test_round_trip_and_key_format() -> None:
    ev = next_event([], who="Zoë", when=T0, action="alias.set", target="@champion",
                    to="4", reason="AUC 0.91 ≥ 0.88 — approved", archived=(2, 3), ref="r-1")
    key, value = encode(ev)
    assert key.startswith("modelhub.audit.00000001.")
    assert value.isascii()  # survives any column charset
    body = json.loads(value)
    assert body["v"] == audit.SCHEMA_VERSION and body["who"] == "Zoë"
    assert body["from"] == "" and body["to"] == "4" and body["archived"] == [2, 3]
    back = decode(key, value)
    assert back == ev
    assert audit.compute_hash(back) == back.hash and back.prev == ""


def test_chain_links_each_event_to_the_one_before() -> None:
    events, problems = audit.read_tags(chain(4))
    assert not problems
    assert [e.seq for e in events] == [1, 2, 3, 4]
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev == before.hash
    assert verify(chain(4)).ok


def test_long_reason_is_truncated_and_marked() -> None:
    reason = "ü" * 3000 + "x" * 10_000  # non-ASCII is stored as 6-character escapes
    ev = next_event([], who="bob", when=T0, action="alias.set", target="@champion",
                    to="2", reason=reason)
    key, value = encode(ev)
    assert len(value) <= audit.MAX_VALUE_CHARS < 5000
    assert len(value) > audit.MAX_VALUE_CHARS - 12  # nearly all of the room is used
    back = decode(key, value)
    assert back.reason_truncated
    assert back.reason.endswith(audit.TRUNCATION_MARK)
    assert reason.startswith(back.reason[: -len(audit.TRUNCATION_MARK)])
    assert verify({key: value}).ok


def test_short_reason_is_kept_whole() -> None:
    ev = next_event([], who="bob", when=T0, action="alias.delete", target="@old",
                    from_="1", reason="r" * 1000)
    back = decode(*encode(ev))
    assert back.reason == "r" * 1000 and not back.reason_truncated


def test_record_that_cannot_fit_is_refused() -> None:
    with pytest.raises(InvalidInput):
        next_event([], who="x" * 6000, when=T0, action="alias.set", target="@a", to="1")


def test_unicode_and_long_alias_targets_fit() -> None:
    target = "@" + "a" * 255
    ev = next_event([], who="Ольга 模型", when=T0, action="alias.set", target=target, to="7",
                    reason="причина " * 400)
    key, value = encode(ev)
    assert len(key) < 250 and len(value) <= audit.MAX_VALUE_CHARS
    assert decode(key, value).target == target


def test_rewritten_value_is_reported_altered() -> None:
    tags = chain(3)
    key = sorted(k for k in tags if k.startswith("modelhub.audit."))[1]
    body = json.loads(tags[key])
    body["who"] = "mallory"
    tags[key] = json.dumps(body)
    report = verify(tags)
    assert not report.ok
    assert report.status_of(key) == "altered"
    assert [e.seq for e in report.broken] == [2]


def test_rewrite_with_recomputed_hash_breaks_the_next_link() -> None:
    tags = chain(3)
    events, _ = audit.read_tags(tags)
    forged = replace(events[1], to="9")
    forged = replace(forged, hash=audit.compute_hash(forged))
    tags[forged.key] = encode(forged)[1]
    report = verify(tags)
    assert report.status_of(events[1].key) == "ok"
    assert report.status_of(events[2].key) == "unlinked"
    assert "rewritten" in next(e.message for e in report.broken)


def test_removed_entry_breaks_the_next_link() -> None:
    tags = chain(3)
    events, _ = audit.read_tags(tags)
    del tags[events[1].key]
    report = verify(tags)
    assert report.status_of(events[2].key) == "unlinked"
    assert "removed" in report.broken[0].message


def test_two_writers_at_once_both_stay_valid() -> None:
    tags = chain(2)
    events, _ = audit.read_tags(tags)
    for who in ("alice", "bob"):  # both saw the same head
        ev = next_event(events, who=who, when=T0 + 50, action="alias.set", target="@x", to="1")
        tags[ev.key] = encode(ev)[1]
    both, _ = audit.read_tags(tags)
    assert [e.seq for e in both] == [1, 2, 3, 3]
    assert len({e.key for e in both}) == 4  # neither overwrote the other
    nxt = next_event(both, who="carol", when=T0 + 60, action="alias.set", target="@x", to="2")
    tags[nxt.key] = encode(nxt)[1]
    assert verify(tags).ok


def test_unreadable_tags_are_reported_not_fatal() -> None:
    tags = chain(1)
    tags["modelhub.audit.00000002.ab"] = "not json"
    tags["modelhub.audit.00000003.cd"] = json.dumps({"v": 99, "seq": 3})
    tags["modelhub.audit.whatever"] = "{}"
    events, problems = audit.read_tags(tags)
    assert len(events) == 1 and len(problems) == 3
    assert "newer" in problems["modelhub.audit.00000003.cd"]
    assert {e.status for e in verify(tags).broken} == {"unreadable"}


def test_decode_rejects_key_value_mismatch() -> None:
    key, value = encode(next_event([], who="a", when=T0, action="alias.set", target="@c",
                                   to="1"))
    with pytest.raises(AuditFormatError):
        decode(key.replace("00000001", "00000005"), value)
