"""Promotion requests stored on the server as model-version tags.

Open-source MLflow has no transition requests, so the app keeps them itself, on the
candidate version (format: docs/audit-schema.md, "Promotion requests"):

- `modelhub.request.<id>`: the request as JSON (target, requester, comment, approvals
  required, state, decisions, the last check results);
- `modelhub.request.state`: an index tag, `pending` while any request on the version is
  pending, so an Inbox finds them all with one `search_model_versions` filter.

This module is the record and its state machine: pending -> approved | rejected |
cancelled. Who may decide is answered here too (`may_approve`, `may_cancel`); the writes
that go with a decision live in core/approval.py.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from modelhub_desktop.core.checks import CheckResult
from modelhub_desktop.core.errors import InvalidInput
from modelhub_desktop.core.tag_json import read_versioned

#: Schema version written by this code; readers accept every version up to it.
SCHEMA_VERSION = 1
PREFIX = "modelhub.request."
STATE_KEY = "modelhub.request.state"
_ID_RE = re.compile(r"^r\d{13}-[0-9a-f]{6}$")

State = Literal["pending", "approved", "rejected", "cancelled"]
PENDING: State = "pending"
FINAL_STATES: tuple[State, ...] = ("approved", "rejected", "cancelled")
DecisionKind = Literal["approve", "reject", "cancel"]
TargetKind = Literal["alias", "stage"]
STAGES = ("Staging", "Production", "Archived", "None")


class RequestFormatError(ValueError):
    """A request tag this version of the app cannot read."""


@dataclass(frozen=True)
class Target:
    """Where the candidate should go: an alias (`champion`) or a stage (`Production`)."""

    kind: TargetKind
    name: str

    @property
    def label(self) -> str:
        return f"@{self.name}" if self.kind == "alias" else f"stage {self.name}"

    @classmethod
    def parse(cls, text: str) -> Target:
        """`@champion` / `champion` -> alias; `stage:Production` / `Production` -> stage."""
        text = text.strip()
        if text.startswith("stage:"):
            text = text[6:].strip()
            if text not in STAGES:
                raise InvalidInput(f"{text!r} is not a stage ({', '.join(STAGES)}).")
            return cls("stage", text)
        if text in STAGES:
            return cls("stage", text)
        name = text.removeprefix("@")
        if not name or not re.fullmatch(r"[\w\-]+", name):
            raise InvalidInput(f"{text!r} is not an alias name (letters, digits, _ and -).")
        return cls("alias", name)


@dataclass(frozen=True)
class Decision:
    """One decision on a request: an approval, a rejection or a cancel, with its reason.

    `overrides` names the failing checks an approver approved over (their reason is
    `reason`)."""

    who: str
    when: int
    kind: DecisionKind
    reason: str = ""
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class PromotionRequest:
    """One request to move a version to an alias or stage."""

    id: str
    model_name: str
    version: int
    target: Target
    requester: str
    created: int
    comment: str = ""
    required_approvals: int = 1
    #: the holder of the target when the request was made ("" = none), as shown to approvers
    holder_at_request: str = ""
    state: State = PENDING
    decisions: tuple[Decision, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    checked_at: int = 0
    #: what the approval did, e.g. "@champion: v3 -> v4" ("" until approved)
    result: str = ""
    schema: int = SCHEMA_VERSION

    @property
    def key(self) -> str:
        return PREFIX + self.id

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def approvers(self) -> tuple[str, ...]:
        """Distinct users who approved, in order."""
        seen: list[str] = []
        for d in self.decisions:
            if d.kind == "approve" and d.who not in seen:
                seen.append(d.who)
        return tuple(seen)

    @property
    def approvals_missing(self) -> int:
        return max(self.required_approvals - len(self.approvers), 0)

    @property
    def failing_checks(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.status == "fail")

    @property
    def overridden(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for d in self.decisions for c in d.overrides))

def new_id(now_ms: int) -> str:
    return f"r{now_ms:013d}-{secrets.token_hex(3)}"


def is_request_key(key: str) -> bool:
    return key.startswith(PREFIX) and _ID_RE.match(key[len(PREFIX):]) is not None


def new_request(model_name: str, version: int, target: Target, requester: str, *,
                now: int, comment: str = "", required_approvals: int = 1,
                holder: int | str | None = None) -> PromotionRequest:
    if required_approvals < 1:
        raise InvalidInput("A request needs at least one approval.")
    return PromotionRequest(new_id(now), model_name, version, target, requester, now,
                            comment, required_approvals,
                            "" if holder is None else str(holder))


# -- the state machine ------------------------------------------------------------------------

def with_checks(req: PromotionRequest, checks: Iterable[CheckResult],
                at: int) -> PromotionRequest:
    """The request with fresh check results (only while pending)."""
    _must_be_pending(req)
    return replace(req, checks=tuple(checks), checked_at=at)


def blocking_checks(req: PromotionRequest, overrides: Iterable[str] = ()) -> list[CheckResult]:
    """Failing checks that nobody has overridden (and that `overrides` does not name)."""
    done = set(req.overridden) | set(overrides)
    return [c for c in req.failing_checks if c.id not in done]


def approve(req: PromotionRequest, who: str, when: int, reason: str = "",
            overrides: Iterable[str] = ()) -> PromotionRequest:
    """Add `who`'s approval. Failing checks must all be overridden, with a reason.

    The state becomes `approved` once enough distinct users approved; the caller then
    performs the move and stores `result` (core/approval.py)."""
    _must_be_pending(req)
    if who == req.requester:
        raise InvalidInput("You asked for this promotion: someone else must approve it.")
    if who in req.approvers:
        raise InvalidInput("You have already approved this request.")
    over = tuple(overrides)
    unknown = [c for c in over if c not in {f.id for f in req.failing_checks}]
    if unknown:
        raise InvalidInput(f"Only failing checks can be overridden ({', '.join(unknown)} "
                           "did not fail).")
    blocking = blocking_checks(req, over)
    if blocking:
        names = ", ".join(c.title for c in blocking)
        raise InvalidInput(f"Failing checks block the approval: {names}. Override them "
                           "with a reason to approve anyway.")
    if over and not reason.strip():
        raise InvalidInput("Overriding a failing check needs a reason.")
    out = replace(req, decisions=(*req.decisions, Decision(who, when, "approve", reason, over)))
    return replace(out, state="approved") if out.approvals_missing == 0 else out


def reject(req: PromotionRequest, who: str, when: int, reason: str) -> PromotionRequest:
    _must_be_pending(req)
    if who == req.requester:
        raise InvalidInput("You asked for this promotion: cancel it instead of rejecting it.")
    if not reason.strip():
        raise InvalidInput("Say why the request is rejected.")
    return replace(req, state="rejected",
                   decisions=(*req.decisions, Decision(who, when, "reject", reason)))


def cancel(req: PromotionRequest, who: str, when: int, reason: str = "") -> PromotionRequest:
    _must_be_pending(req)
    if who != req.requester:
        raise InvalidInput(f"Only {req.requester}, who asked for it, can cancel this request.")
    return replace(req, state="cancelled",
                   decisions=(*req.decisions, Decision(who, when, "cancel", reason)))


def _must_be_pending(req: PromotionRequest) -> None:
    if req.is_final:
        raise InvalidInput(f"This request was already {req.state}.")


# -- who may decide -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reviewer:
    """The signed-in user as a reviewer of one model's requests.

    `accounts`: the server has user accounts (basic-auth): approvers are users with MANAGE
    on the model (`manages`). Elsewhere `approvers` (the profile's list) names them; an
    empty list lets anyone but the requester approve."""

    username: str
    accounts: bool = False
    manages: bool | None = None
    approvers: tuple[str, ...] = field(default_factory=tuple)


def refusal(req: PromotionRequest, who: Reviewer) -> tuple[str, bool]:
    """Why `who` may not approve or reject `req` ("" = they may), and whether the reason
    is a missing permission (rather than the request's state or their own part in it)."""
    if req.is_final:
        return f"This request was already {req.state}.", False
    if who.username == req.requester:
        return "You asked for this promotion: someone else must approve it.", False
    if who.username in req.approvers:
        return "You have already approved this request.", False
    if who.accounts:
        if who.manages is False:
            return f"Approving needs MANAGE on {req.model_name}.", True
        return "", False
    if who.approvers and who.username not in who.approvers:
        return (f"{who.username} is not on this connection's approver list "
                f"({', '.join(who.approvers)})."), True
    return "", False


def may_approve(req: PromotionRequest, who: Reviewer) -> tuple[bool, str]:
    """(allowed, why not) for approving or rejecting `req`."""
    why, _ = refusal(req, who)
    return not why, why


def may_cancel(req: PromotionRequest, who: Reviewer) -> tuple[bool, str]:
    if req.is_final:
        return False, f"This request was already {req.state}."
    if who.username != req.requester:
        return False, f"Only {req.requester}, who asked for it, can cancel it."
    return True, ""


# -- the stored form -------------------------------------------------------------------------------

def _check_json(c: CheckResult) -> dict[str, str]:
    return {"id": c.id, "title": c.title, "status": c.status, "message": c.message}


def encode(req: PromotionRequest) -> tuple[str, str]:
    """The version tag (key, value) for `req`."""
    body: dict[str, object] = {
        "v": SCHEMA_VERSION, "id": req.id, "model": req.model_name, "version": req.version,
        "target_kind": req.target.kind, "target": req.target.name,
        "requester": req.requester, "created": req.created, "comment": req.comment,
        "required_approvals": req.required_approvals, "holder": req.holder_at_request,
        "state": req.state,
        "decisions": [{"who": d.who, "when": d.when, "kind": d.kind, "reason": d.reason,
                       **({"overrides": list(d.overrides)} if d.overrides else {})}
                      for d in req.decisions],
        "checks": [_check_json(c) for c in req.checks], "checked_at": req.checked_at,
        "result": req.result,
    }
    return req.key, json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))


def decode(key: str, value: str) -> PromotionRequest:
    if not is_request_key(key):
        raise RequestFormatError(f"not a request key: {key[:80]}")
    raw = read_versioned(value, SCHEMA_VERSION, RequestFormatError)
    version = int(raw["v"])
    try:
        state = str(raw["state"])
        kind = str(raw["target_kind"])
        if state not in (PENDING, *FINAL_STATES) or kind not in ("alias", "stage"):
            raise ValueError(f"state {state!r} / target kind {kind!r}")
        decisions = tuple(
            Decision(str(d["who"]), int(d["when"]), _decision_kind(str(d["kind"])),
                     str(d.get("reason", "")), tuple(str(c) for c in d.get("overrides", ())))
            for d in raw.get("decisions", ()))
        checks = tuple(CheckResult(str(c["id"]), str(c.get("title", c["id"])),
                                   _status(str(c["status"])), str(c.get("message", "")))
                       for c in raw.get("checks", ()))
        req = PromotionRequest(
            id=str(raw["id"]), model_name=str(raw["model"]), version=int(raw["version"]),
            target=Target("alias" if kind == "alias" else "stage", str(raw["target"])),
            requester=str(raw["requester"]), created=int(raw["created"]),
            comment=str(raw.get("comment", "")),
            required_approvals=int(raw.get("required_approvals", 1)),
            holder_at_request=str(raw.get("holder", "")), state=_state(state),
            decisions=decisions, checks=checks, checked_at=int(raw.get("checked_at", 0)),
            result=str(raw.get("result", "")), schema=version)
    except (KeyError, TypeError, ValueError) as exc:
        raise RequestFormatError(f"a field is missing or malformed ({exc})") from exc
    if PREFIX + req.id != key:
        raise RequestFormatError("the key's request id differs from the value's")
    return req


def _state(text: str) -> State:
    for s in (PENDING, *FINAL_STATES):
        if s == text:
            return s
    raise ValueError(text)


def _decision_kind(text: str) -> DecisionKind:
    for k in ("approve", "reject", "cancel"):
        if k == text:
            return k
    raise ValueError(f"decision {text!r}")


def _status(text: str) -> Literal["pass", "fail", "skipped"]:
    for s in ("pass", "fail", "skipped"):
        if s == text:
            return s
    raise ValueError(f"check status {text!r}")


def read_tags(tags: Mapping[str, str]) -> tuple[list[PromotionRequest], dict[str, str]]:
    """Requests in one version's tags, oldest first, and unreadable keys -> why."""
    out: list[PromotionRequest] = []
    problems: dict[str, str] = {}
    for key, value in tags.items():
        if not key.startswith(PREFIX) or key == STATE_KEY:
            continue
        try:
            out.append(decode(key, value))
        except RequestFormatError as exc:
            problems[key] = str(exc)
    return sorted(out, key=lambda r: (r.created, r.id)), problems


def index_state(requests: Iterable[PromotionRequest]) -> str:
    """The index tag's value for a version: pending while any request is, else the
    newest request's state."""
    reqs = sorted(requests, key=lambda r: (r.created, r.id))
    if any(r.state == PENDING for r in reqs):
        return PENDING
    return reqs[-1].state if reqs else ""


def pending_filter(model_name: str = "") -> str:
    """`search_model_versions` filter for versions with a pending request."""
    from modelhub_desktop.core.registry import quote

    clause = f"tags.`{STATE_KEY}` = 'pending'"
    return f"name = {quote(model_name)} AND {clause}" if model_name else clause
