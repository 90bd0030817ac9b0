"""Promotion requests on the server: create, check, approve (and move), reject, cancel.

Each write reads the request fresh from the server first and checks it afterwards, as
governance does for aliases. Every decision is also an event in the model's audit chain
with `ref` = the request id; an approval that completes the request moves the alias or
stage through core/governance.py, whose move event carries the same `ref`.

Separation of duties is enforced here, in the client: the server lets anyone with EDIT
write the tags. On a server with user accounts, approvers are users with MANAGE on the
model; elsewhere the profile's approver list names them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from modelhub_desktop.core import audit
from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.checks import CheckResult
from modelhub_desktop.core.domain import ModelVersion, Profile
from modelhub_desktop.core.errors import InvalidInput, ModelHubError, NotFound, PermissionDenied
from modelhub_desktop.core.governance import (
    AuditNotWritten,
    Conflict,
    GovernanceGateway,
    WriteResult,
    actor,
    set_alias,
    transition_stage,
)
from modelhub_desktop.core.permissions import (
    HostCredsSource,
    Level,
    current_user,
    fetch_permission,
)


class ApprovalGateway(GovernanceGateway, HostCredsSource, Protocol):
    """What requests need beyond governance: version tags and a tag-filtered search."""

    def set_version_tag(self, model_name: str, version: int, key: str, value: str) -> None: ...
    def search_versions(self, filter_string: str) -> list[ModelVersion]: ...


def _now() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Outcome:
    """A request as the server holds it after a decision, and the move it caused (if any)."""

    request: rq.PromotionRequest
    move: WriteResult | None = None


# -- who is reviewing -------------------------------------------------------------------------

def reviewer(gw: ApprovalGateway, model_name: str, profile: Profile | None = None,
             approvers: Sequence[str] = ()) -> rq.Reviewer:
    """The signed-in user as a reviewer of `model_name` (two requests on a basic-auth server:
    who am I, what may I do)."""
    me = current_user(gw)
    if me is None:
        return rq.Reviewer(actor(profile), accounts=False, approvers=tuple(approvers))
    perm = fetch_permission(gw, model_name)
    manages = perm.is_admin or (perm.level is not None and perm.level >= Level.MANAGE)
    return rq.Reviewer(me[0], accounts=True, manages=manages)


# -- reading ---------------------------------------------------------------------------------

def requests_of(versions: Iterable[ModelVersion]) -> list[rq.PromotionRequest]:
    """Every request found in these versions' tags, newest first."""
    out = [r for v in versions for r in rq.read_tags(v.tags)[0]]
    return sorted(out, key=lambda r: (r.created, r.id), reverse=True)


def pending_requests(gw: ApprovalGateway, model_name: str = "") -> list[rq.PromotionRequest]:
    """Pending requests across all models (the Inbox), or of one model: one search."""
    found = requests_of(gw.search_versions(rq.pending_filter(model_name)))
    return [r for r in found if r.state == rq.PENDING]


def read_request(gw: ApprovalGateway, model_name: str, version: int,
                 request_id: str) -> rq.PromotionRequest:
    mv = gw.get_version(model_name, version)
    key = rq.PREFIX + request_id
    if key not in mv.tags:
        raise NotFound(f"Request {request_id} is not on v{version} of {model_name}.")
    try:
        return rq.decode(key, mv.tags[key])
    except rq.RequestFormatError as exc:
        raise InvalidInput(f"Request {request_id} cannot be read: {exc}") from None


# -- writing ---------------------------------------------------------------------------------

def _audit(gw: ApprovalGateway, model_name: str, who: str, action: str, target: str,
           to: str, reason: str, ref: str) -> audit.AuditEvent:
    model = gw.get_model(model_name)
    events, _ = audit.read_tags(model.tags)
    event = audit.next_event(events, who=who, when=_now(), action=action, target=target,
                             to=to, reason=reason, ref=ref)
    key, value = audit.encode(event)
    try:
        gw.set_model_tag(model_name, key, value)
    except ModelHubError as exc:
        raise AuditNotWritten(f"The request was recorded, but its audit entry on "
                              f"{model_name} could not be stored: {exc}") from None
    return event


def _store(gw: ApprovalGateway, req: rq.PromotionRequest) -> rq.PromotionRequest:
    """Write the request and the version's index tag, then read them back."""
    key, value = rq.encode(req)
    try:
        gw.set_version_tag(req.model_name, req.version, key, value)
        mv = gw.get_version(req.model_name, req.version)
        others = [r for r in rq.read_tags(mv.tags)[0] if r.id != req.id]
        state = rq.index_state([*others, req])
        if mv.tags.get(rq.STATE_KEY) != state:
            gw.set_version_tag(req.model_name, req.version, rq.STATE_KEY, state)
    except PermissionDenied:
        raise PermissionDenied(f"Recording a promotion request needs EDIT on "
                               f"{req.model_name}; the server refused it.") from None
    stored = read_request(gw, req.model_name, req.version, req.id)
    if stored != req:
        raise Conflict(f"Request {req.id} was changed by someone else at the same time. "
                       "Refresh and try again.")
    return stored


def _holder(gw: ApprovalGateway, model_name: str, target: rq.Target,
            version: int) -> int | None:
    if target.kind == "alias":
        return gw.get_model(model_name).aliases.get(target.name)
    held = [v.version for v in gw.list_versions(model_name)
            if v.current_stage == target.name and v.version != version]
    return max(held) if held else None


def create_request(gw: ApprovalGateway, model_name: str, version: int, target: rq.Target, *,
                   who: str, comment: str = "", required_approvals: int = 1,
                   checks: Sequence[CheckResult] = ()) -> rq.PromotionRequest:
    """Ask for `version` to go to `target`. One pending request per version and target."""
    mv = gw.get_version(model_name, version)
    for other in rq.read_tags(mv.tags)[0]:
        if other.state == rq.PENDING and other.target == target:
            raise InvalidInput(f"v{version} already has a pending request for "
                               f"{target.label} (by {other.requester}).")
    if target.kind == "alias" and target.name in mv.aliases:
        raise InvalidInput(f"v{version} already holds {target.label}.")
    if target.kind == "stage" and mv.current_stage == target.name:
        raise InvalidInput(f"v{version} is already in {target.name}.")
    now = _now()
    req = rq.new_request(model_name, version, target, who, now=now, comment=comment,
                         required_approvals=required_approvals,
                         holder=_holder(gw, model_name, target, version))
    if checks:
        req = rq.with_checks(req, checks, now)
    stored = _store(gw, req)
    _audit(gw, model_name, who, "request.create", f"v{version}", target.label, comment,
           req.id)
    return stored


def record_checks(gw: ApprovalGateway, req: rq.PromotionRequest,
                  checks: Sequence[CheckResult]) -> rq.PromotionRequest:
    """Store fresh check results; the holder they compared with becomes the one an
    approval expects."""
    fresh = read_request(gw, req.model_name, req.version, req.id)
    holder = _holder(gw, req.model_name, req.target, req.version)
    updated = replace(rq.with_checks(fresh, checks, _now()),
                      holder_at_request="" if holder is None else str(holder))
    return _store(gw, updated)


def _move(gw: ApprovalGateway, req: rq.PromotionRequest, who: str,
          reason: str) -> WriteResult:
    text = f"Approved request {req.id}" + (f": {reason}" if reason else "")
    expected = int(req.holder_at_request) if req.holder_at_request else None
    if req.target.kind == "alias":
        return set_alias(gw, req.model_name, req.target.name, req.version,
                         expected=expected, who=who, reason=text, ref=req.id)
    current = gw.get_version(req.model_name, req.version).current_stage
    return transition_stage(gw, req.model_name, req.version, req.target.name,
                            expected_stage=current, who=who, reason=text, ref=req.id)


def _result_text(req: rq.PromotionRequest, move: WriteResult) -> str:
    if req.target.kind == "alias":
        old = req.holder_at_request
        return f"{req.target.label}: {'v' + old if old else 'none'} -> v{req.version}"
    return f"v{req.version}: {move.event.from_} -> {req.target.name}"


def _must_be_allowed(req: rq.PromotionRequest, who: rq.Reviewer,
                     doing: str = "Approving") -> None:
    why, permission = rq.refusal(req, who)
    if why:
        raise (PermissionDenied if permission else InvalidInput)(
            why.replace("Approving", doing))


def approve_request(gw: ApprovalGateway, req: rq.PromotionRequest, who: rq.Reviewer, *,
                    reason: str = "", overrides: Sequence[str] = ()) -> Outcome:
    """Approve; the approval that completes the request moves the alias or stage.

    Failing checks block unless each is overridden, with a reason (recorded as a
    `check.override` audit event)."""
    fresh = read_request(gw, req.model_name, req.version, req.id)
    _must_be_allowed(fresh, who)
    decided = rq.approve(fresh, who.username, _now(), reason, overrides)
    move = None
    if decided.state == "approved":
        move = _move(gw, decided, who.username, reason)
        decided = replace(decided, result=_result_text(decided, move))
    stored = _store(gw, decided)
    if overrides:
        _audit(gw, req.model_name, who.username, "check.override", f"v{req.version}",
               ", ".join(overrides), reason, req.id)
    _audit(gw, req.model_name, who.username, "request.approve", f"v{req.version}",
           req.target.label, reason, req.id)
    return Outcome(stored, move)


def reject_request(gw: ApprovalGateway, req: rq.PromotionRequest, who: rq.Reviewer,
                   reason: str) -> Outcome:
    fresh = read_request(gw, req.model_name, req.version, req.id)
    _must_be_allowed(fresh, who, "Rejecting")
    stored = _store(gw, rq.reject(fresh, who.username, _now(), reason))
    _audit(gw, req.model_name, who.username, "request.reject", f"v{req.version}",
           req.target.label, reason, req.id)
    return Outcome(stored)


def cancel_request(gw: ApprovalGateway, req: rq.PromotionRequest, who: rq.Reviewer,
                   reason: str = "") -> Outcome:
    fresh = read_request(gw, req.model_name, req.version, req.id)
    allowed, why = rq.may_cancel(fresh, who)
    if not allowed:
        raise InvalidInput(why)
    stored = _store(gw, rq.cancel(fresh, who.username, _now(), reason))
    _audit(gw, req.model_name, who.username, "request.cancel", f"v{req.version}",
           req.target.label, reason, req.id)
    return Outcome(stored)
