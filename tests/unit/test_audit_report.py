"""The audit report from known tags: events in range, the chain verdict, CSV and HTML."""

from __future__ import annotations

import csv
import io
import json

from modelhub_desktop.core import audit, audit_report
from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.checks import CheckResult
from modelhub_desktop.core.deploy.base import DeploymentRecord
from modelhub_desktop.core.domain import ModelVersion, RegisteredModel
from tests.html_tables import read_html

NAME = "fraud ü " + "y" * 190


def _tags() -> dict[str, str]:
    events: list[audit.AuditEvent] = []
    for when, action, frm, to in ((1_000, "request.create", "", "@champion"),
                                  (2_000, "alias.set", "1", "2"),
                                  (3_000, "request.approve", "", "@champion")):
        events.append(audit.next_event(events, who="bob", when=when, action=action,
                                       target="@champion" if action == "alias.set" else "v2",
                                       from_=frm, to=to, ref="r1"))
    return dict(audit.encode(e) for e in events)


def _version() -> ModelVersion:
    req = rq.PromotionRequest("r0000000001500-abcdef", NAME, 2, rq.Target("alias", "champion"),
                              "ann", 1_000, checked_at=1_500,
                              checks=(CheckResult("a", "A", "pass", ""),
                                      CheckResult("b", "B", "fail", "too low")))
    return ModelVersion(NAME, 2, tags=dict([rq.encode(req)]))


def test_report_lists_events_in_range_with_an_intact_chain() -> None:
    dep = DeploymentRecord("svc", "local", "models:/x/2", NAME, 2, created_at=2_500,
                           created_by="ops", status="running")
    report = audit_report.build([RegisteredModel(NAME, tags=_tags())], [_version()], [dep],
                               start=1_200, end=3_000)
    assert [e.action for e in report.events] == ["checks.run", "alias.set", "deployment.create"]
    assert report.intact and report.chains[0].sentence == "3 audit entries, hash chain intact."
    rows = list(csv.DictReader(io.StringIO(audit_report.to_csv(report))))
    assert [r["action"] for r in rows] == ["checks.run", "alias.set", "deployment.create",
                                           "chain.verify"]
    assert rows[0]["to"] == "1 pass, 1 fail" and rows[0]["reason"] == "B: too low"
    assert rows[1]["when_utc"] == "1970-01-01T00:00:02+00:00" and rows[1]["chain"] == "ok"
    assert rows[3]["model"] == NAME and rows[3]["chain"] == "ok"
    page = read_html(audit_report.to_html(report))
    assert page.texts["verdict"] == "All audit chains are intact."
    assert len(page.tables["events"]) == 4


def test_a_rewritten_entry_shows_as_broken() -> None:
    tags = _tags()
    key = sorted(k for k in tags if audit.is_audit_key(k))[1]
    body = json.loads(tags[key])
    body["to"] = "3"
    tags[key] = json.dumps(body)
    report = audit_report.build([RegisteredModel(NAME, tags=tags)])
    assert not report.intact
    altered = [e for e in report.events if e.chain == "altered"]
    assert [e.action for e in altered] == ["alias.set"]
    page = read_html(audit_report.to_html(report))
    assert page.texts["verdict"].startswith("Some audit entries were changed")
    chain = page.tables["chains"][1]
    assert (chain[1], chain[1].css) == ("broken", "fail")
    assert "#2 was changed after it was written" in chain[2]
    rows = list(csv.DictReader(io.StringIO(audit_report.to_csv(report))))
    assert rows[-1]["chain"] == "broken"


def _registry_log() -> dict[str, str]:
    events: list[audit.AuditEvent] = []
    for when, action, frm, to in ((4_000, "model.rename", "old churn", NAME),
                                  (5_000, "model.delete", "gone model", "")):
        events.append(audit.next_event(events, who="carol", when=when, action=action,
                                       target="model", from_=frm, to=to, reason="tidy"))
    return dict(audit.encode(e) for e in events)


def test_deletions_and_renames_come_from_the_registry_log() -> None:
    log = _registry_log()
    one = audit_report.build([RegisteredModel(NAME, tags=_tags())], registry_log=log)
    assert [(e.action, e.model, e.source) for e in one.events if e.source == "registry"] == [
        ("model.rename", "old churn", "registry")]  # only what concerns the model reported
    every = audit_report.build([RegisteredModel(NAME, tags=_tags())], registry_log=log,
                               all_models=True)
    deleted = [e for e in every.events if e.action == "model.delete"]
    assert deleted and deleted[0].model == "gone model" and deleted[0].who == "carol"
    labels = [c.model for c in every.chains]
    assert audit_report.REGISTRY_LOG_LABEL in labels and every.intact
    rows = list(csv.DictReader(io.StringIO(audit_report.to_csv(every))))
    assert any(r["action"] == "model.delete" and r["from"] == "gone model" for r in rows)
