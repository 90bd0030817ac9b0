"""Governance events for some models or a date range, as CSV and HTML, with the result
of verifying each model's audit hash chain (core/audit.py `verify`).

Events come from four places: the audit chain on each model (alias and stage moves,
roll backs, version deletions, request decisions, check overrides), the registry-wide log
of model deletions and renames (core/registry_audit.py), the requests on its versions
(when checks ran and what they found), and the app's deployment records.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from modelhub_desktop.core import audit, registry_audit
from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.deploy.base import DeploymentRecord
from modelhub_desktop.core.domain import ModelVersion, RegisteredModel
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.core.report_html import esc, iso, page, table

REGISTRY_LOG_LABEL = f"{registry_audit.EXPERIMENT_NAME} (deleted and renamed models)"


@dataclass(frozen=True)
class ReportEvent:
    when: int
    model: str
    action: str
    target: str
    from_: str = ""
    to: str = ""
    who: str = ""
    reason: str = ""
    ref: str = ""
    source: str = "audit"  # "audit" | "registry" | "request" | "deployment"
    chain: str = ""  # the audit entry's verification status ("ok", "altered", ...)


@dataclass(frozen=True)
class ChainSummary:
    model: str
    entries: int
    broken: tuple[str, ...]  # one sentence per broken entry

    @property
    def ok(self) -> bool:
        return not self.broken

    @property
    def sentence(self) -> str:
        if self.ok:
            return f"{self.entries} audit entries, hash chain intact."
        return f"{self.entries} audit entries, {len(self.broken)} broken: " + " ".join(
            self.broken)


@dataclass(frozen=True)
class AuditReport:
    events: tuple[ReportEvent, ...]
    chains: tuple[ChainSummary, ...]
    start: int | None = None
    end: int | None = None
    generated_at: int = 0

    @property
    def intact(self) -> bool:
        return all(c.ok for c in self.chains)


def _in_range(when: int, start: int | None, end: int | None) -> bool:
    return (start is None or when >= start) and (end is None or when < end)


def _chain(label: str, tags: Mapping[str, str]) -> tuple[ChainSummary, audit.ChainReport]:
    report = audit.verify(tags)
    return ChainSummary(label, len(report.entries),
                        tuple(f"{e.key}: {e.status}" + (f" ({e.message})" if e.message else "")
                              for e in report.broken)), report


def build(models: Iterable[RegisteredModel], versions: Iterable[ModelVersion] = (),
          deployments: Iterable[DeploymentRecord] = (), *, start: int | None = None,
          end: int | None = None, generated_at: int = 0,
          registry_log: Mapping[str, str] | None = None,
          all_models: bool = False) -> AuditReport:
    """The report from models (their tags hold the audit chain), versions (their tags hold
    requests), deployment records and the registry-wide log of deletions and renames
    (`registry_log`: the "ModelHub audit" experiment's tags; its events about the models
    reported, or all of them with `all_models`); events outside [start, end) are left out,
    each chain is verified whole."""
    events: list[ReportEvent] = []
    chains: list[ChainSummary] = []
    names: set[str] = set()
    for model in models:
        names.add(model.name)
        summary, report = _chain(model.name, model.tags)
        chains.append(summary)
        for ev in audit.read_tags(model.tags)[0]:
            if _in_range(ev.when, start, end):
                events.append(ReportEvent(ev.when, model.name, ev.action, ev.target, ev.from_,
                                          ev.to, ev.who, ev.reason, ev.ref, "audit",
                                          report.status_of(ev.key) or ""))
    if registry_log:
        summary, report = _chain(REGISTRY_LOG_LABEL, registry_log)
        chains.append(summary)
        for ev in audit.read_tags(registry_log)[0]:
            about = ev.from_ or ev.to
            if (all_models or {ev.from_, ev.to} & names) and _in_range(ev.when, start, end):
                events.append(ReportEvent(ev.when, about, ev.action, ev.target, ev.from_,
                                          ev.to, ev.who, ev.reason, ev.ref, "registry",
                                          report.status_of(ev.key) or ""))
    for mv in versions:
        if mv.model_name not in names:
            continue
        for req in rq.read_tags(mv.tags)[0]:
            if req.checks and _in_range(req.checked_at, start, end):
                counts = {s: sum(c.status == s for c in req.checks)
                          for s in ("pass", "fail", "skipped")}
                found = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
                failed = "; ".join(f"{c.title}: {c.message}" for c in req.failing_checks)
                events.append(ReportEvent(req.checked_at, mv.model_name, "checks.run",
                                          f"v{mv.version}", "", found, "", failed, req.id,
                                          "request"))
    for d in deployments:
        if d.model_name in names and _in_range(d.created_at, start, end):
            events.append(ReportEvent(d.created_at, d.model_name, "deployment.create",
                                      f"v{d.version}", "", d.name, d.created_by,
                                      f"{d.backend} {d.endpoint} ({d.status})".strip(),
                                      source="deployment"))
    events.sort(key=lambda e: (e.when, e.model, e.action))
    return AuditReport(tuple(events), tuple(chains), start, end, generated_at)


def gather(gw: RegistryGateway, model_names: Sequence[str] = (), *, start: int | None = None,
           end: int | None = None, deployments: Iterable[DeploymentRecord] = (),
           now: int = 0) -> AuditReport:
    """Read and build the report for `model_names` (all models when empty)."""
    models = [gw.get_model(n) for n in model_names] if model_names else gw.list_models()
    versions = [v for m in models for v in gw.list_versions(m.name)
                if any(k.startswith(rq.PREFIX) for k in v.tags)]
    return build(models, versions, deployments, start=start, end=end, generated_at=now,
                 registry_log=registry_audit.read_log(gw), all_models=not model_names)


CSV_HEADER = ("when_utc", "model", "action", "target", "from", "to", "who", "reason", "ref",
              "source", "chain")


def _iso_exact(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds")


def to_csv(report: AuditReport) -> str:
    """One row per event (UTC ISO times), then one `chain` row per model with its
    verification result in `reason` and "ok"/"broken" in `chain`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for e in report.events:
        w.writerow((_iso_exact(e.when), e.model, e.action, e.target, e.from_, e.to, e.who,
                    e.reason, e.ref, e.source, e.chain))
    for c in report.chains:
        w.writerow(("", c.model, "chain.verify", "", "", "", "", c.sentence, "", "audit",
                    "ok" if c.ok else "broken"))
    return buf.getvalue()


def to_html(report: AuditReport, title: str = "Audit report") -> str:
    span = (f"{iso(report.start) or 'the beginning'} to {iso(report.end) or 'now'}"
            if report.start or report.end else "all time")
    verdict = ("All audit chains are intact." if report.intact
               else "Some audit entries were changed or removed after they were written.")
    body = [f"<h1>{esc(title)}</h1>",
            f'<p class="muted">Events from {esc(span)} · made {esc(iso(report.generated_at))}'
            "</p>",
            f'<h2 id="verification">Hash-chain verification</h2>'
            f'<p class="{"pass" if report.intact else "fail"}" id="verdict">{esc(verdict)}</p>',
            table(["Model", "Result", "Detail"],
                  [(c.model, ("intact", "pass") if c.ok else ("broken", "fail"), c.sentence)
                   for c in report.chains], "chains"),
            f'<h2 id="events">Events ({len(report.events)})</h2>']
    rows = [(iso(e.when), e.model, e.action, e.target, e.from_, e.to, e.who, e.reason, e.ref,
             (e.chain, "pass" if e.chain == "ok" else "fail") if e.chain else "")
            for e in report.events]
    body.append(table(["When", "Model", "Action", "Target", "From", "To", "Who", "Reason",
                       "Request", "Chain"], rows, "events") if rows
                else '<p class="muted">No events in this range.</p>')
    return page(title, "".join(body))
