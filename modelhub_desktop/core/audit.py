"""Audit events stored on the server as registered-model tags, chained by hash.

MLflow keeps no record of who moved an alias or a stage, so every change the app makes
writes one tag `modelhub.audit.<seq>.<nonce>` on the model (format: docs/audit-schema.md).
Each event carries the hash of the one before it: an entry rewritten later by someone
with EDIT, or removed, shows up as broken when the chain is verified.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from modelhub_desktop.core.errors import InvalidInput
from modelhub_desktop.core.tag_json import read_versioned

#: Schema version written by this code; readers accept every version up to it.
SCHEMA_VERSION = 1
PREFIX = "modelhub.audit."
#: Registered-model tag values are VARCHAR(5000) on SQL backends: stay below.
MAX_VALUE_CHARS = 4999
TRUNCATION_MARK = " [truncated]"
_KEY_RE = re.compile(r"^modelhub\.audit\.(\d{1,12})\.([0-9a-f]{1,16})$")

#: Actions the app writes (issue 13's request decisions use the `request.` ones).
ACTIONS = (
    "alias.set", "alias.delete", "alias.rollback", "stage.transition", "stage.rollback",
    "description.edit", "tag.set", "tag.delete", "model.rename", "version.delete",
    "model.delete",
    "request.create", "request.approve", "request.reject", "request.cancel", "check.override",
)
#: `from`/`to` of edits (descriptions, tag values) are shortened to this many characters.
MAX_FIELD_CHARS = 300


def shorten(text: str, limit: int = MAX_FIELD_CHARS) -> str:
    """A description or tag value as an audit field: at most `limit` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AuditFormatError(ValueError):
    """A tag under the audit prefix that this version cannot read."""


@dataclass(frozen=True)
class AuditEvent:
    """One change made by the app: who did what to which alias/stage, from what to what."""

    seq: int
    who: str
    when: int  # ms since epoch, UTC
    action: str
    target: str  # "@champion" for an alias, "v4" for a version's stage
    from_: str = ""  # previous holder ("3") or stage ("Staging"); "" = none
    to: str = ""  # new holder or stage; "" = removed
    reason: str = ""
    reason_truncated: bool = False
    archived: tuple[int, ...] = ()  # versions moved to Archived by the same transition
    ref: str = ""  # the promotion request this event belongs to (issue 13), if any
    prev: str = ""  # hash of the previous event; "" for the first
    hash: str = ""
    nonce: str = ""  # keeps two concurrent writers of the same seq from overwriting
    version: int = SCHEMA_VERSION

    @property
    def key(self) -> str:
        return tag_key(self.seq, self.nonce)

    def payload(self) -> dict[str, object]:
        """The stored fields except `hash`, in schema names (what the hash covers)."""
        out: dict[str, object] = {
            "v": self.version, "seq": self.seq, "who": self.who, "when": self.when,
            "action": self.action, "target": self.target, "from": self.from_, "to": self.to,
            "reason": self.reason, "prev": self.prev,
        }
        if self.reason_truncated:
            out["reason_truncated"] = True
        if self.archived:
            out["archived"] = list(self.archived)
        if self.ref:
            out["ref"] = self.ref
        return out


def tag_key(seq: int, nonce: str) -> str:
    return f"{PREFIX}{seq:08d}.{nonce}"


def is_audit_key(key: str) -> bool:
    return key.startswith(PREFIX)


def compute_hash(event: AuditEvent) -> str:
    """SHA-256 of the canonical JSON of every stored field but `hash` itself."""
    canon = json.dumps(event.payload(), sort_keys=True, separators=(",", ":"),
                       ensure_ascii=False)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def _value(event: AuditEvent) -> str:
    body = event.payload()
    body["hash"] = event.hash
    # ASCII-only JSON: safe for any column charset; non-ASCII counts as \\uXXXX
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def encode(event: AuditEvent) -> tuple[str, str]:
    """The tag (key, value) for `event`; its hash must already be set (see `seal`)."""
    value = _value(event)
    if len(value) > MAX_VALUE_CHARS:
        raise InvalidInput(f"The audit record is {len(value)} characters; the server keeps "
                           f"at most {MAX_VALUE_CHARS}.")
    return event.key, value


def seal(event: AuditEvent, prev: str) -> AuditEvent:
    """Chain `event` after the event whose hash is `prev`, shortening the reason if the
    stored value would pass the server's limit, and set its hash."""
    nonce = event.nonce or secrets.token_hex(3)
    full = replace(event, prev=prev, nonce=nonce, hash="0" * 64)
    if len(_value(full)) <= MAX_VALUE_CHARS:
        return replace(full, hash=compute_hash(full))
    bare = replace(full, reason=TRUNCATION_MARK, reason_truncated=True)
    if len(_value(bare)) > MAX_VALUE_CHARS:
        raise InvalidInput("The audit record is too long even without its reason.")
    lo, hi = 0, len(event.reason)  # longest prefix of the reason that fits
    while lo < hi:
        mid = (lo + hi + 1) // 2
        trial = replace(bare, reason=event.reason[:mid].rstrip() + TRUNCATION_MARK)
        if len(_value(trial)) <= MAX_VALUE_CHARS:
            lo = mid
        else:
            hi = mid - 1
    cut = replace(bare, reason=event.reason[:lo].rstrip() + TRUNCATION_MARK)
    return replace(cut, hash=compute_hash(cut))


def decode(key: str, value: str) -> AuditEvent:
    """Read one audit tag; raises AuditFormatError for anything this version cannot read."""
    match = _KEY_RE.match(key)
    if not match:
        raise AuditFormatError(f"not an audit key: {key[:80]}")
    raw = read_versioned(value, SCHEMA_VERSION, AuditFormatError)
    version = int(raw["v"])
    try:
        event = AuditEvent(
            seq=int(raw["seq"]), who=str(raw["who"]), when=int(raw["when"]),
            action=str(raw["action"]), target=str(raw["target"]),
            from_=str(raw.get("from", "")), to=str(raw.get("to", "")),
            reason=str(raw.get("reason", "")),
            reason_truncated=bool(raw.get("reason_truncated", False)),
            archived=tuple(int(v) for v in raw.get("archived", ())),
            ref=str(raw.get("ref", "")), prev=str(raw.get("prev", "")),
            hash=str(raw.get("hash", "")), nonce=match.group(2), version=version,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise AuditFormatError(f"a field is missing or malformed ({exc})") from exc
    if event.seq != int(match.group(1)):
        raise AuditFormatError("the key's sequence number differs from the value's")
    return event


def read_tags(tags: Mapping[str, str]) -> tuple[list[AuditEvent], dict[str, str]]:
    """Audit events found in a model's tags, in chain order, and unreadable keys -> why."""
    events: list[AuditEvent] = []
    problems: dict[str, str] = {}
    for key, value in tags.items():
        if not is_audit_key(key):
            continue
        try:
            events.append(decode(key, value))
        except AuditFormatError as exc:
            problems[key] = str(exc)
    return sorted(events, key=lambda e: (e.seq, e.nonce)), problems


def head(events: Sequence[AuditEvent]) -> AuditEvent | None:
    """The event a new one chains after: the last in chain order."""
    return max(events, key=lambda e: (e.seq, e.nonce), default=None)


def next_event(events: Sequence[AuditEvent], *, who: str, when: int, action: str,
               target: str, from_: str = "", to: str = "", reason: str = "",
               archived: tuple[int, ...] = (), ref: str = "") -> AuditEvent:
    """A sealed event chained after `events`."""
    last = head(events)
    event = AuditEvent(seq=(last.seq + 1) if last else 1, who=who, when=when, action=action,
                       target=target, from_=from_, to=to, reason=reason, archived=archived,
                       ref=ref)
    return seal(event, last.hash if last else "")


Status = Literal["ok", "altered", "unlinked", "unreadable"]


@dataclass(frozen=True)
class EntryCheck:
    key: str
    seq: int | None
    status: Status
    message: str = ""


@dataclass(frozen=True)
class ChainReport:
    entries: tuple[EntryCheck, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(e.status == "ok" for e in self.entries)

    @property
    def broken(self) -> tuple[EntryCheck, ...]:
        return tuple(e for e in self.entries if e.status != "ok")

    def status_of(self, key: str) -> Status | None:
        return next((e.status for e in self.entries if e.key == key), None)


def verify(tags: Mapping[str, str]) -> ChainReport:
    """Check every audit tag of a model: its own hash, and its link to the one before.

    Two events with the same sequence number (two clients writing at once) are both
    valid links; an event whose `prev` matches no event one step earlier is `unlinked`
    (the entry before it was rewritten or removed).
    """
    events, problems = read_tags(tags)
    by_seq: dict[int, set[str]] = {}
    for ev in events:
        by_seq.setdefault(ev.seq, set()).add(ev.hash)
    out = [EntryCheck(k, None, "unreadable", why) for k, why in sorted(problems.items())]
    for ev in events:
        if compute_hash(ev) != ev.hash:
            out.append(EntryCheck(ev.key, ev.seq, "altered",
                                  f"Entry #{ev.seq} was changed after it was written."))
        elif ev.seq == 1 and ev.prev:
            out.append(EntryCheck(ev.key, ev.seq, "unlinked",
                                  "The first entry points to an earlier one that is missing."))
        elif ev.seq > 1 and ev.prev not in by_seq.get(ev.seq - 1, set()):
            what = "rewritten" if ev.seq - 1 in by_seq else "removed"
            out.append(EntryCheck(ev.key, ev.seq, "unlinked",
                                  f"The entry before #{ev.seq} was {what}."))
        else:
            out.append(EntryCheck(ev.key, ev.seq, "ok"))
    return ChainReport(tuple(out))
