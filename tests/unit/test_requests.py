"""Promotion requests: the state machine, separation of duties, the stored form."""

from __future__ import annotations

import json

import pytest

from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.checks import CheckResult
from modelhub_desktop.core.errors import InvalidInput

FAIL = CheckResult("metric auc >= 0.8", "auc >= 0.8", "fail", "auc is 0.7.")
PASS = CheckResult("run-finished", "Source run finished", "pass", "The source run finished.")


def _req(required: int = 1) -> rq.PromotionRequest:
    return rq.new_request("churn ü", 4, rq.Target("alias", "champion"), "ann", now=1_000,
                          comment="better", required_approvals=required, holder=3)


def test_approval_needs_someone_else_and_enough_approvers() -> None:
    req = _req(required=2)
    with pytest.raises(InvalidInput, match="someone else must approve"):
        rq.approve(req, "ann", 2_000)
    one = rq.approve(req, "bob", 2_000)
    assert (one.state, one.approvers, one.approvals_missing) == ("pending", ("bob",), 1)
    with pytest.raises(InvalidInput, match="already approved"):
        rq.approve(one, "bob", 2_500)
    two = rq.approve(one, "cy", 3_000)
    assert two.state == "approved" and two.approvers == ("bob", "cy")
    with pytest.raises(InvalidInput, match="already approved"):
        rq.cancel(two, "ann", 4_000)


def test_failing_checks_block_until_overridden_with_a_reason() -> None:
    req = rq.with_checks(_req(), [FAIL, PASS], 1_500)
    with pytest.raises(InvalidInput, match="block the approval: auc >= 0.8"):
        rq.approve(req, "bob", 2_000)
    with pytest.raises(InvalidInput, match="needs a reason"):
        rq.approve(req, "bob", 2_000, overrides=[FAIL.id])
    with pytest.raises(InvalidInput, match="did not fail"):
        rq.approve(req, "bob", 2_000, reason="x", overrides=[PASS.id])
    done = rq.approve(req, "bob", 2_000, reason="known dip", overrides=[FAIL.id])
    assert done.state == "approved" and done.overridden == (FAIL.id,)
    assert rq.blocking_checks(done) == []


def test_reject_needs_a_reason_and_only_the_requester_cancels() -> None:
    req = _req()
    with pytest.raises(InvalidInput, match="Say why"):
        rq.reject(req, "bob", 2_000, "")
    with pytest.raises(InvalidInput, match="cancel it instead"):
        rq.reject(req, "ann", 2_000, "no")
    assert rq.reject(req, "bob", 2_000, "too slow").state == "rejected"
    with pytest.raises(InvalidInput, match="Only ann, who asked for it"):
        rq.cancel(req, "bob", 2_000)
    assert rq.cancel(req, "ann", 2_000).state == "cancelled"


def test_who_may_approve() -> None:
    req = _req()
    manager = rq.Reviewer("bob", accounts=True, manages=True)
    editor = rq.Reviewer("eve", accounts=True, manages=False)
    assert rq.may_approve(req, manager) == (True, "")
    assert rq.refusal(req, editor) == ("Approving needs MANAGE on churn ü.", True)
    assert rq.refusal(req, rq.Reviewer("ann", accounts=True, manages=True))[1] is False
    listed = rq.Reviewer("bob", approvers=("bob", "cy"))
    outsider = rq.Reviewer("dan", approvers=("bob", "cy"))
    assert rq.may_approve(req, listed) == (True, "")
    assert rq.may_approve(req, outsider) == (
        False, "dan is not on this connection's approver list (bob, cy).")
    assert rq.may_approve(req, rq.Reviewer("dan"))[0]  # no list: anyone but the requester
    assert rq.may_cancel(req, rq.Reviewer("ann")) == (True, "")
    assert not rq.may_cancel(req, manager)[0]


def test_stored_form_round_trips_and_rejects_what_it_cannot_read() -> None:
    req = rq.approve(rq.with_checks(_req(), [FAIL], 1_500), "bob", 2_000, "ok", [FAIL.id])
    key, value = rq.encode(req)
    assert key == "modelhub.request." + req.id and value.isascii()
    assert rq.decode(key, value) == req
    raw = json.loads(value)
    assert raw["v"] == 1 and raw["target_kind"] == "alias" and raw["holder"] == "3"
    newer = json.dumps({**raw, "v": 2})
    with pytest.raises(rq.RequestFormatError, match="newer"):
        rq.decode(key, newer)
    tags = {key: value, rq.STATE_KEY: "approved", "modelhub.request.rX": "{}",
            "other": "x", "modelhub.request.r0000000000001-abcdef": "not json"}
    found, problems = rq.read_tags(tags)
    assert found == [req]
    assert sorted(problems) == ["modelhub.request.r0000000000001-abcdef", "modelhub.request.rX"]


def test_index_state_and_filters() -> None:
    a, b = _req(), rq.cancel(_req(), "ann", 5_000)
    assert rq.index_state([a, b]) == "pending"
    assert rq.index_state([b]) == "cancelled"
    assert rq.pending_filter() == "tags.`modelhub.request.state` = 'pending'"
    assert rq.pending_filter("it's") == (
        "name = 'it\\'s' AND tags.`modelhub.request.state` = 'pending'")


def test_targets_parse() -> None:
    assert rq.Target.parse("@champion") == rq.Target("alias", "champion")
    assert rq.Target.parse("Production") == rq.Target("stage", "Production")
    assert rq.Target.parse("stage:Staging").label == "stage Staging"
    with pytest.raises(InvalidInput):
        rq.Target.parse("@no spaces")
