"""A version's model card: what it is for, how it was made, how it compares with the
champion, what was checked, who approved it and where it runs. Markdown and HTML.

`gather` reads everything from the server in a few batched calls; `to_markdown` and
`to_html` are pure, so a card can be rebuilt from what the cache holds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from modelhub_desktop.core import audit
from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.alias_timeline import Span, build_spans, current_slots, moves_from_events
from modelhub_desktop.core.deploy.base import DeploymentRecord
from modelhub_desktop.core.domain import ModelVersion, RegisteredModel, RunData
from modelhub_desktop.core.formatting import fmt_metric
from modelhub_desktop.core.lineage import VersionLineage, version_lineage
from modelhub_desktop.core.metrics import lower_is_better
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.core.report_html import esc, iso, md_escape, md_table, page, table

INTENDED_USE_TAG = "intended_use"


@dataclass(frozen=True)
class CardData:
    model: RegisteredModel
    version: ModelVersion
    run: RunData | None
    champion_alias: str = "champion"
    champion: ModelVersion | None = None
    champion_run: RunData | None = None
    lineage: VersionLineage | None = None
    requests: tuple[rq.PromotionRequest, ...] = ()
    spans: tuple[Span, ...] = ()
    deployments: tuple[DeploymentRecord, ...] = ()
    generated_at: int = 0

    @property
    def title(self) -> str:
        return f"Model card: {self.model.name} v{self.version.version}"

    @property
    def intended_use(self) -> str:
        return (self.version.tags.get(INTENDED_USE_TAG)
                or self.model.tags.get(INTENDED_USE_TAG, ""))


def gather(gw: RegistryGateway, model_name: str, version: int, *,
           champion_alias: str = "champion",
           deployments: Sequence[DeploymentRecord] = ()) -> CardData:
    """Read a card's contents: model, version, champion, both runs (one search), the
    signature, requests (from the version's tags) and the alias history (audit trail)."""
    model = gw.get_model(model_name)
    mv = gw.get_version(model_name, version)
    held = model.aliases.get(champion_alias)
    champion = gw.get_version(model_name, held) if held not in (None, version) else None
    runs = gw.get_runs([v.run_id for v in (mv, champion) if v is not None and v.run_id])
    stages = gw.stages(model_name)
    events, _ = audit.read_tags(model.tags)
    spans = build_spans(moves_from_events(events), current_slots(model.aliases, stages))
    return CardData(model, mv, runs.get(mv.run_id), champion_alias, champion,
                    runs.get(champion.run_id) if champion else None,
                    version_lineage(gw, mv), tuple(rq.read_tags(mv.tags)[0]),
                    tuple(s for s in spans if s.version == version),
                    tuple(d for d in deployments if d.model_name == model_name
                          and d.version == version),
                    int(time.time() * 1000))


# -- pieces shared by both renderings -------------------------------------------------------

def metric_rows(card: CardData) -> list[tuple[str, str, str, str, str]]:
    """(metric, this version, champion, difference, "better"|"worse"|"")."""
    mine = card.run.metrics if card.run else {}
    theirs = card.champion_run.metrics if card.champion_run else {}
    out = []
    for key in sorted(set(mine) | set(theirs)):
        a, b = mine.get(key), theirs.get(key)
        diff = mark = ""
        if a is not None and b is not None and card.champion is not None:
            delta = a - b
            diff = f"{delta:+.4g}"
            if delta:
                good = (delta < 0) == lower_is_better(key)
                mark = "better" if good else "worse"
        out.append((key, fmt_metric(a),
                    fmt_metric(b), diff, mark))
    return out


def _lineage_rows(card: CardData) -> list[tuple[str, str]]:
    run, lin = card.run, card.lineage
    rows = [("Run", f"{run.run_name} ({run.run_id})" if run else card.version.run_id or "none"),
            ("Run status", run.status if run else ""),
            ("Experiment", f"{run.experiment_name} ({run.experiment_id})" if run else ""),
            ("Source", card.version.source)]
    if lin is not None and lin.logged_model_id:
        rows.append(("Logged model", f"{lin.logged_model_name} ({lin.logged_model_id})"))
    for ds in run.datasets if run else ():
        rows.append(("Dataset", f"{ds.name} ({ds.context or 'input'}, digest {ds.digest})"))
    return [(k, v) for k, v in rows if v]


def _signature_rows(card: CardData) -> list[tuple[str, str, str]]:
    lin = card.lineage
    if lin is None:
        return []
    return ([("input", c.name, c.type) for c in lin.inputs]
            + [("output", c.name, c.type) for c in lin.outputs])


def _latest_checks(card: CardData) -> tuple[rq.PromotionRequest | None, list[tuple[str, ...]]]:
    req = next((r for r in reversed(card.requests) if r.checks), None)
    if req is None:
        return None, []
    over = set(req.overridden)
    return req, [(c.status + (" (overridden)" if c.id in over else ""), c.title, c.message)
                 for c in req.checks]


def _approval_rows(card: CardData) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for r in card.requests:
        rows.append((iso(r.created), r.requester, "requested", r.target.label, r.comment))
        for d in r.decisions:
            what = {"approve": "approved", "reject": "rejected", "cancel": "cancelled"}[d.kind]
            extra = f" (overrode: {', '.join(d.overrides)})" if d.overrides else ""
            rows.append((iso(d.when), d.who, what, r.target.label, d.reason + extra))
    return rows


def _span_rows(card: CardData) -> list[tuple[str, ...]]:
    return [(s.slot, iso(s.start) or "before the known history", iso(s.end) or "now",
             s.started_by, s.reason) for s in card.spans]


def _deploy_rows(card: CardData) -> list[tuple[str, ...]]:
    return [(d.name, d.backend, d.endpoint, d.status, iso(d.created_at), d.created_by)
            for d in card.deployments]


# -- Markdown ----------------------------------------------------------------------------------

def to_markdown(card: CardData) -> str:
    v, champ = card.version, card.champion
    champ_label = f"v{champ.version} (@{card.champion_alias})" if champ else "none"
    out = [f"# {md_escape(card.title)}", "",
           f"Aliases: {', '.join('@' + a for a in v.aliases) or 'none'} · "
           f"Stage: {v.current_stage} · Created: {iso(v.creation_timestamp)} · "
           f"Card made: {iso(card.generated_at)}", "",
           "## Description and intended use", "",
           v.description or card.model.description or "No description.", "",
           f"**Intended use:** {card.intended_use or 'not stated (tag intended_use)'}", "",
           "## Parameters", ""]
    params = sorted((card.run.params if card.run else {}).items())
    out += [md_table(["Parameter", "Value"], params) if params else "No parameters.", ""]
    out += [f"## Metrics (compared with the champion: {champ_label})", ""]
    metrics = [(k, a, b, f"{d} {m}".strip()) for k, a, b, d, m in metric_rows(card)]
    out += [md_table(["Metric", f"v{v.version}", "Champion", "Difference"], metrics)
            if metrics else "No metrics.", ""]
    out += ["## Lineage", "", md_table(["Item", "Value"], _lineage_rows(card)), ""]
    sig = _signature_rows(card)
    out += ["## Signature", "", md_table(["Role", "Column", "Type"], sig) if sig else
            "No signature" + (f": {card.lineage.schema_problem}" if card.lineage
                              and card.lineage.schema_problem else "."), ""]
    req, checks = _latest_checks(card)
    out += ["## Checks", ""]
    out += [f"For request {req.id} ({req.target.label}), {iso(req.checked_at)}:", "",
            md_table(["Result", "Check", "Detail"], checks)] if req else ["No checks run."]
    approvals = _approval_rows(card)
    out += ["", "## Approvals", "", md_table(["When", "Who", "What", "Target", "Comment"],
                                             approvals) if approvals else "No requests.", ""]
    spans = _span_rows(card)
    out += ["## Alias and stage history", "", md_table(["Alias / stage", "From", "To", "By",
                                                        "Reason"], spans)
            if spans else "Never held an alias or stage.", ""]
    deps = _deploy_rows(card)
    out += ["## Deployments", "", md_table(["Name", "Backend", "Endpoint", "Status", "Created",
                                            "By"], deps) if deps else "Not deployed.", ""]
    return "\n".join(out)


# -- HTML --------------------------------------------------------------------------------------

def _section(sid: str, title: str, content: str) -> str:
    return f'<h2 id="{sid}">{esc(title)}</h2>{content}'


def _para(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{esc(text)}</p>"


def to_html(card: CardData) -> str:
    v, champ = card.version, card.champion
    champ_label = f"v{champ.version} (@{card.champion_alias})" if champ else "none"
    body = [f"<h1>{esc(card.title)}</h1>", _para(
        f"Aliases: {', '.join('@' + a for a in v.aliases) or 'none'} · Stage: "
        f"{v.current_stage} · Created: {iso(v.creation_timestamp)} · Card made: "
        f"{iso(card.generated_at)}", "muted")]
    desc = v.description or card.model.description or "No description."
    body.append(_section("description", "Description and intended use",
                         _para(desc) + "<p><b>Intended use:</b> " + esc(
                             card.intended_use or "not stated (tag intended_use)") + "</p>"))
    params = sorted((card.run.params if card.run else {}).items())
    body.append(_section("params", "Parameters", table(["Parameter", "Value"], params, "params")
                         if params else _para("No parameters.", "muted")))
    metrics = [(k, a, b, (d, m)) for k, a, b, d, m in metric_rows(card)]
    body.append(_section("metrics", f"Metrics (compared with the champion: {champ_label})",
                         table(["Metric", f"v{v.version}", "Champion", "Difference"], metrics,
                               "metrics") if metrics else _para("No metrics.", "muted")))
    body.append(_section("lineage", "Lineage", table(["Item", "Value"], _lineage_rows(card),
                                                     "lineage")))
    sig = _signature_rows(card)
    problem = card.lineage.schema_problem if card.lineage else ""
    body.append(_section("signature", "Signature", table(["Role", "Column", "Type"], sig,
                                                         "signature") if sig else
                         _para("No signature" + (f": {problem}" if problem else "."), "fail")))
    req, checks = _latest_checks(card)
    content = (_para(f"For request {req.id} ({req.target.label}), {iso(req.checked_at)}:")
               + table(["Result", "Check", "Detail"],
                       [((s, s.split()[0]), t, m) for s, t, m in checks], "checks")
               if req else _para("No checks run.", "muted"))
    body.append(_section("checks", "Checks", content))
    approvals = _approval_rows(card)
    body.append(_section("approvals", "Approvals", table(
        ["When", "Who", "What", "Target", "Comment"], approvals, "approvals")
        if approvals else _para("No requests.", "muted")))
    spans = _span_rows(card)
    body.append(_section("history", "Alias and stage history", table(
        ["Alias / stage", "From", "To", "By", "Reason"], spans, "history")
        if spans else _para("Never held an alias or stage.", "muted")))
    deps = _deploy_rows(card)
    body.append(_section("deployments", "Deployments", table(
        ["Name", "Backend", "Endpoint", "Status", "Created", "By"], deps, "deployments")
        if deps else _para("Not deployed.", "muted")))
    return page(card.title, "".join(body))
