"""Promotion requests, checks and approvals on a real `mlflow server --app-name basic-auth`:
a requester with EDIT, an approver with MANAGE, an editor with EDIT who may not approve.
What the server holds afterwards is read with a second, plain MlflowClient."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest

from modelhub_desktop.core import audit, audit_report, model_card
from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.approval import (
    approve_request,
    cancel_request,
    create_request,
    pending_requests,
    read_request,
    record_checks,
    reject_request,
    reviewer,
)
from modelhub_desktop.core.check_inputs import gather
from modelhub_desktop.core.checks import parse_rules, run_checks
from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import InvalidInput, PermissionDenied
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import as_admin, client_for, new_user
from tests.html_tables import read_html
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

NAMES = ["approval churn ü – модель 模型", "approval-" + "l" * 191]

MLMODEL = """artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    python_version: 3.11.0
signature:
  inputs: '{inputs}'
  outputs: '[{{"type": "double", "required": true}}]'
"""
COLUMNS = [{"type": "double", "name": "age", "required": True},
           {"type": "long", "name": "visits", "required": True}]


def _model(url: str, name: str, metrics: list[float], tags: dict[int, dict[str, str]],
           columns: list[list[dict[str, object]]] | None = None) -> None:
    """`name` with one version per metric value (m0), each with an MLmodel signature.

    Artifact requests to a server carry the credentials of the last profile connected to
    it (core/artifact_auth.py): the admin's, while the admin builds the model."""
    from mlflow.utils.rest_utils import MlflowHostCreds

    from modelhub_desktop.core import artifact_auth
    from tests.servers import ADMIN_PASSWORD, ADMIN_USER

    artifact_auth.register(url, MlflowHostCreds(url, ADMIN_USER, ADMIN_PASSWORD))
    with as_admin():
        c = client_for(url)
        exp = c.get_experiment_by_name(f"exp {name[:60]}")
        exp_id = exp.experiment_id if exp else c.create_experiment(f"exp {name[:60]}")
        c.create_registered_model(name, description=f"Churn model {name[:20]}")
        for i, m0 in enumerate(metrics):
            run = c.create_run(exp_id, run_name=f"run-{i}")
            rid = run.info.run_id
            c.log_metric(rid, "m0", m0)
            c.log_metric(rid, "val_loss", 1 - m0)
            c.log_param(rid, "max_depth", str(3 + i))
            cols = (columns or [COLUMNS] * len(metrics))[i]
            c.log_text(rid, MLMODEL.format(inputs=json.dumps(cols)), "model/MLmodel")
            c.set_terminated(rid, "FINISHED")
            mv = c.create_model_version(name, f"{run.info.artifact_uri}/model", rid,
                                        await_creation_for=0)
            for k, v in tags.get(i + 1, {}).items():
                c.set_model_version_tag(name, mv.version, k, v)
        c.set_registered_model_alias(name, "champion", "1")


@pytest.fixture(scope="module")
def team(basic_auth_server: MlflowServer) -> dict[str, tuple[str, str]]:
    url = basic_auth_server.url
    with as_admin():
        return {role: new_user(url, role) for role in ("requester", "approver", "editor")}


def _grant(url: str, team: dict[str, tuple[str, str]], name: str) -> None:
    from mlflow.server import get_app_client

    with as_admin():
        admin = get_app_client("basic-auth", tracking_uri=url)
        for role, level in (("requester", "EDIT"), ("approver", "MANAGE"), ("editor", "EDIT")):
            admin.grant_user_permission(team[role][0], "registered_model", name, level)


def _gw(url: str, user: tuple[str, str]) -> RegistryGateway:
    return RegistryGateway(Profile(user[0], url, auth="basic", username=user[0]),
                           Credentials(password=user[1]))


def _server_request(url: str, name: str, version: int, req_id: str) -> rq.PromotionRequest:
    """The request as a plain MlflowClient (a second client) reads it."""
    with as_admin():
        mv = client_for(url).get_model_version(name, str(version))
    assert mv.tags[rq.STATE_KEY] in ("pending", "approved", "rejected", "cancelled")
    return rq.decode(rq.PREFIX + req_id, mv.tags[rq.PREFIX + req_id])


RULES = ["metric m0 >= 0.8", "not-worse m0 0.05", "tag validation_status = passed",
         "signature", "run-finished"]


@pytest.mark.parametrize("name", NAMES, ids=["unicode", "200-chars"])
def test_request_checks_approve_and_the_alias_moves(basic_auth_server: MlflowServer,
                                                    team: dict[str, tuple[str, str]],
                                                    name: str) -> None:
    url = basic_auth_server.url
    _model(url, name, [0.82, 0.9], {2: {"validation_status": "passed"}})
    _grant(url, team, name)
    requester, approver, editor = (_gw(url, team[r]) for r in ("requester", "approver",
                                                                "editor"))
    champion = rq.Target("alias", "champion")

    rules = parse_rules(RULES)
    results = run_checks(rules, gather(requester, name, 2, champion, rules))
    assert [(r.id, r.status) for r in results] == [(rule, "pass") for rule in RULES], results
    assert "0.9 vs 0.82 for v1" in results[1].message
    req = create_request(requester, name, 2, champion, who=team["requester"][0],
                         comment="better m0, same inputs", checks=results)
    assert req.state == "pending" and req.holder_at_request == "1"
    with pytest.raises(InvalidInput, match="already has a pending request"):
        create_request(requester, name, 2, champion, who=team["requester"][0])

    # the approver's Inbox across models shows it with who asked and the checks
    inbox = {r.id: r for r in pending_requests(approver)}
    assert inbox[req.id].requester == team["requester"][0]
    assert [c.status for c in inbox[req.id].checks] == ["pass"] * 5

    # separation of duties: the requester never approves their own request
    me = reviewer(requester, name)
    assert rq.may_approve(req, me) == (False, "You asked for this promotion: someone else "
                                              "must approve it.")
    with pytest.raises(InvalidInput, match="someone else must approve"):
        approve_request(requester, req, me)
    # a user with EDIT but not MANAGE may not approve
    other = reviewer(editor, name)
    assert other.accounts and other.manages is False
    with pytest.raises(PermissionDenied, match=f"Approving needs MANAGE on {name}"):
        approve_request(editor, req, other)
    with as_admin():
        assert client_for(url).get_registered_model(name).aliases == {"champion": "1"}

    boss = reviewer(approver, name)
    assert rq.may_approve(req, boss) == (True, "")
    outcome = approve_request(approver, req, boss, reason="looks good")
    assert outcome.move is not None and outcome.move.verified
    assert outcome.request.state == "approved"

    # a second client sees the alias moved and the request's final state
    with as_admin():
        assert client_for(url).get_registered_model(name).aliases == {"champion": "2"}
    seen = _server_request(url, name, 2, req.id)
    assert (seen.state, seen.approvers, seen.result) == (
        "approved", (team["approver"][0],), "@champion: v1 -> v2")
    assert req.id not in {r.id for r in pending_requests(approver)}

    with as_admin():
        tags = client_for(url).get_registered_model(name).tags
    events, _ = audit.read_tags(tags)
    assert [(e.action, e.who, e.ref) for e in events] == [
        ("request.create", team["requester"][0], req.id),
        ("alias.set", team["approver"][0], req.id),
        ("request.approve", team["approver"][0], req.id)]
    assert audit.verify(tags).ok

    _card_and_report(approver, name, req.id, team)


def _card_and_report(gw: RegistryGateway, name: str, req_id: str,
                     team: dict[str, tuple[str, str]]) -> None:
    card = model_card.gather(gw, name, 2)
    page = read_html(model_card.to_html(card))
    assert "Metrics (compared with the champion: none)" in page.headings  # v2 is champion now
    metrics = {row[0]: row for row in page.tables["metrics"][1:]}
    assert metrics["m0"][1] == "0.9"
    sig = [tuple(r) for r in page.tables["signature"][1:]]
    assert ("input", "age", "double") in sig and ("input", "visits", "long") in sig
    checks = page.tables["checks"][1:]
    assert [(c[0], c[0].css) for c in checks] == [("pass", "pass")] * 5
    approvals = [(r[1], r[2]) for r in page.tables["approvals"][1:]]
    assert approvals == [(team["requester"][0], "requested"), (team["approver"][0], "approved")]
    history = page.tables["history"][1:]
    assert history[0][0] == "@champion" and history[0][2] == "now"
    assert history[0][3] == team["approver"][0]
    lineage = {r[0]: r[1] for r in page.tables["lineage"][1:]}
    assert lineage["Run status"] == "FINISHED" and lineage["Run"].startswith("run-1 (")
    md = model_card.to_markdown(card)
    assert f"# Model card: {name} v2" in md and "| m0 | 0.9 |" in md

    report = audit_report.gather(gw, [name], now=int(time.time() * 1000))
    rows = list(csv.DictReader(io.StringIO(audit_report.to_csv(report))))
    actions = [(r["action"], r["ref"], r["chain"]) for r in rows if r["source"] == "audit"]
    assert actions == [("request.create", req_id, "ok"), ("alias.set", req_id, "ok"),
                       ("request.approve", req_id, "ok"), ("chain.verify", "", "ok")]
    checks_row = next(r for r in rows if r["action"] == "checks.run")
    assert checks_row["to"] == "5 pass" and checks_row["target"] == "v2"
    html = read_html(audit_report.to_html(report))
    assert html.texts["verdict"] == "All audit chains are intact."
    assert [c for c in html.tables["chains"][1]][:2] == [name, "intact"]
    assert len(html.tables["events"]) - 1 == 4  # create, checks, move, approve


def test_reject_and_cancel(basic_auth_server: MlflowServer,
                           team: dict[str, tuple[str, str]]) -> None:
    url = basic_auth_server.url
    name = "approval reject ü"
    _model(url, name, [0.8, 0.85, 0.7], {})
    _grant(url, team, name)
    requester, approver = _gw(url, team["requester"]), _gw(url, team["approver"])
    who = team["requester"][0]
    to_challenger = create_request(requester, name, 2, rq.Target("alias", "challenger"),
                                   who=who, comment="try it")
    to_staging = create_request(requester, name, 3, rq.Target("stage", "Staging"), who=who)

    boss = reviewer(approver, name)
    with pytest.raises(InvalidInput, match="Say why"):
        reject_request(approver, to_challenger, boss, "  ")
    rejected = reject_request(approver, to_challenger, boss, "m0 too low for a challenger")
    assert rejected.request.state == "rejected" and rejected.move is None
    with pytest.raises(InvalidInput, match="already rejected"):
        approve_request(approver, to_challenger, boss)

    with pytest.raises(InvalidInput, match=f"Only {who}, who asked for it"):
        cancel_request(approver, to_staging, boss)
    cancelled = cancel_request(requester, to_staging, reviewer(requester, name), "not needed")
    assert cancelled.request.state == "cancelled"

    assert _server_request(url, name, 2, to_challenger.id).state == "rejected"
    assert _server_request(url, name, 3, to_staging.id).state == "cancelled"
    with as_admin():
        plain = client_for(url)
        assert plain.get_registered_model(name).aliases == {"champion": "1"}
        assert plain.get_model_version(name, "3").current_stage == "None"
        assert plain.get_model_version(name, "2").tags[rq.STATE_KEY] == "rejected"
        tags = plain.get_registered_model(name).tags
    events, _ = audit.read_tags(tags)
    decided = {(e.action, e.ref, e.reason) for e in events}
    assert ("request.reject", to_challenger.id, "m0 too low for a challenger") in decided
    assert ("request.cancel", to_staging.id, "not needed") in decided
    assert not pending_requests(approver, name)


def test_failing_check_blocks_until_overridden_with_a_reason(
        basic_auth_server: MlflowServer, team: dict[str, tuple[str, str]]) -> None:
    url = basic_auth_server.url
    name = "approval override ü"
    retyped = [{"type": "string", "name": "age", "required": True}]
    _model(url, name, [0.9, 0.7], {}, columns=[COLUMNS, retyped])
    _grant(url, team, name)
    requester, approver = _gw(url, team["requester"]), _gw(url, team["approver"])
    champion = rq.Target("alias", "champion")
    rules = parse_rules(RULES)
    req = create_request(requester, name, 2, champion, who=team["requester"][0])
    checks = run_checks(rules, gather(requester, name, 2, champion, rules))
    req = record_checks(requester, req, checks)
    failing = {c.id: c.message for c in req.failing_checks}
    assert set(failing) == {"metric m0 >= 0.8", "not-worse m0 0.05",
                            "tag validation_status = passed", "signature"}
    assert failing["signature"] == ("Incompatible with v1's inputs: removed visits; "
                                    "retyped age (double -> string).")
    assert failing["not-worse m0 0.05"].endswith("worse by 0.2, more than 0.05.")

    boss = reviewer(approver, name)
    with pytest.raises(InvalidInput, match="Failing checks block the approval"):
        approve_request(approver, req, boss)
    with pytest.raises(InvalidInput, match="block the approval: Signature"):
        approve_request(approver, req, boss, reason="x", overrides=list(failing)[:3])
    with pytest.raises(InvalidInput, match="needs a reason"):
        approve_request(approver, req, boss, overrides=list(failing))
    with as_admin():
        assert client_for(url).get_registered_model(name).aliases == {"champion": "1"}

    reason = "Hotfix: the old model breaks on new data; approved by the risk board"
    done = approve_request(approver, req, boss, reason=reason, overrides=list(failing))
    assert done.request.state == "approved"
    with as_admin():
        assert client_for(url).get_registered_model(name).aliases == {"champion": "2"}
        tags = client_for(url).get_registered_model(name).tags
    stored = read_request(approver, name, 2, req.id)
    assert stored.decisions[-1].overrides == tuple(failing)
    assert stored.decisions[-1].reason == reason
    override = [e for e in audit.read_tags(tags)[0] if e.action == "check.override"]
    assert [(o.ref, o.reason, o.who) for o in override] == [(req.id, reason,
                                                             team["approver"][0])]
    assert set(override[0].to.split(", ")) == set(failing)


def test_two_approvals_required(basic_auth_server: MlflowServer,
                                team: dict[str, tuple[str, str]]) -> None:
    url = basic_auth_server.url
    name = "approval two ü"
    _model(url, name, [0.8, 0.9], {})
    _grant(url, team, name)
    requester, approver = _gw(url, team["requester"]), _gw(url, team["approver"])
    from tests.servers import ADMIN_PASSWORD, ADMIN_USER

    admin = _gw(url, (ADMIN_USER, ADMIN_PASSWORD))
    req = create_request(requester, name, 2, rq.Target("stage", "Production"),
                         who=team["requester"][0], required_approvals=2)
    first = approve_request(approver, req, reviewer(approver, name))
    assert first.request.state == "pending" and first.move is None
    assert first.request.approvals_missing == 1
    with pytest.raises(InvalidInput, match="already approved"):
        approve_request(approver, req, reviewer(approver, name))
    second = approve_request(admin, req, reviewer(admin, name), reason="second pair of eyes")
    assert second.request.state == "approved" and second.move is not None
    assert second.request.result == "v2: None -> Production"
    with as_admin():
        assert client_for(url).get_model_version(name, "2").current_stage == "Production"
    assert _server_request(url, name, 2, req.id).approvers == (team["approver"][0], ADMIN_USER)
