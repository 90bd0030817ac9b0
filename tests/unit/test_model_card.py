"""The model card from known contents: every section, read back from its HTML and Markdown."""

from __future__ import annotations

from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.alias_timeline import Span
from modelhub_desktop.core.checks import CheckResult
from modelhub_desktop.core.deploy.base import DeploymentRecord
from modelhub_desktop.core.domain import DatasetInput, ModelVersion, RegisteredModel, RunData
from modelhub_desktop.core.lineage import SchemaColumn, VersionLineage
from modelhub_desktop.core.model_card import CardData, to_html, to_markdown
from tests.html_tables import read_html

NAME = "churn <b>ü</b> | " + "x" * 180
T = 1_796_000_000_000


def _card() -> CardData:
    model = RegisteredModel(NAME, "Predicts churn.", aliases={"champion": 3},
                            tags={"intended_use": "Monthly retention offers; not for pricing."})
    v4 = ModelVersion(NAME, 4, creation_timestamp=T, run_id="r4", aliases=("challenger",),
                      source="mlflow-artifacts:/1/r4/artifacts/model")
    run = RunData("r4", "run-4", "1", "churn exp", "FINISHED", params={"max_depth": "5"},
                  metrics={"auc": 0.91, "val_loss": 0.2},
                  datasets=(DatasetInput("customers", "abc123", context="training"),))
    champ_run = RunData("r3", metrics={"auc": 0.88, "val_loss": 0.25})
    checks = (CheckResult("metric auc >= 0.8", "auc >= 0.8", "pass", "auc is 0.91."),
              CheckResult("signature", "Signature present and compatible", "fail", "Removed x."))
    req = rq.PromotionRequest("r1796000000000-aaaaaa", NAME, 4, rq.Target("alias", "champion"),
                              "ann", T, "better auc", state="approved", checks=checks,
                              decisions=(rq.Decision("bob", T + 60_000, "approve", "ok",
                                                     ("signature",)),))
    lineage = VersionLineage((SchemaColumn("age", "double"),), (SchemaColumn("p", "long"),),
                             ("python_function",), "m-1", "model")
    return CardData(model, v4, run, "champion", ModelVersion(NAME, 3), champ_run, lineage,
                    (req,), (Span("@challenger", 4, T, None, "audit", "bob"),),
                    (DeploymentRecord("churn-svc", "local", f"models:/{NAME}/4", NAME, 4,
                                      endpoint="http://127.0.0.1:5001", status="running",
                                      created_at=T, created_by="ops"),), T)


def test_html_card_has_every_section() -> None:
    page = read_html(to_html(_card()))
    assert page.headings == [
        "Description and intended use", "Parameters",
        "Metrics (compared with the champion: v3 (@champion))", "Lineage", "Signature",
        "Checks", "Approvals", "Alias and stage history", "Deployments"]
    metrics = {r[0]: r for r in page.tables["metrics"][1:]}
    assert (metrics["auc"][3], metrics["auc"][3].css) == ("+0.03", "better")
    assert (metrics["val_loss"][3], metrics["val_loss"][3].css) == ("-0.05", "better")
    assert page.tables["params"][1] == ["max_depth", "5"]
    lineage = {r[0]: r[1] for r in page.tables["lineage"][1:]}
    assert lineage["Run"] == "run-4 (r4)" and lineage["Logged model"] == "model (m-1)"
    assert lineage["Dataset"] == "customers (training, digest abc123)"
    assert [list(r) for r in page.tables["signature"][1:]] == [["input", "age", "double"],
                                                               ["output", "p", "long"]]
    checks = page.tables["checks"][1:]
    assert [(c[0], c[0].css) for c in checks] == [("pass", "pass"),
                                                  ("fail (overridden)", "fail")]
    assert [list(r[1:4]) for r in page.tables["approvals"][1:]] == [
        ["ann", "requested", "@champion"], ["bob", "approved", "@champion"]]
    assert "(overrode: signature)" in page.tables["approvals"][2][4]
    assert page.tables["history"][1][:3] == ["@challenger", "2026-11-30 00:53 UTC", "now"]
    assert page.tables["deployments"][1][:4] == ["churn-svc", "local", "http://127.0.0.1:5001",
                                                 "running"]


def test_markdown_card_escapes_names_and_tables() -> None:
    md = to_markdown(_card())
    assert md.startswith(f"# Model card: churn <b>ü</b> \\| {'x' * 180} v4")
    assert "**Intended use:** Monthly retention offers; not for pricing." in md
    assert "| auc | 0.91 | 0.88 | +0.03 better |" in md
    assert "| fail (overridden) | Signature present and compatible | Removed x. |" in md


def test_card_without_run_or_champion_says_so() -> None:
    bare = CardData(RegisteredModel("m"), ModelVersion("m", 1), None)
    page = read_html(to_html(bare))
    assert "Metrics (compared with the champion: none)" in page.headings
    assert "metrics" not in page.tables and "checks" not in page.tables
    assert "Not deployed." in to_markdown(bare)
