"""The promote confirmation's content: better metric by direction, differing params,
signature columns added/removed/retyped, deployments of the current holder."""

from __future__ import annotations

from modelhub_desktop.core.domain import ModelVersion, RegisteredModel, RunData
from modelhub_desktop.core.lineage import SchemaColumn, VersionLineage
from modelhub_desktop.core.model_edits import why_not_delete_model, why_not_delete_version
from modelhub_desktop.core.promotion import build_preview, metric_diffs, param_diffs


def test_better_side_follows_the_direction() -> None:
    cur = RunData("a", metrics={"auc": 0.8, "val_loss": 0.3, "only_old": 1.0},
                  params={"lr": "0.1", "depth": "4"})
    cand = RunData("b", metrics={"auc": 0.9, "val_loss": 0.4},
                   params={"lr": "0.05", "depth": "4", "seed": "7"})
    diffs = {d.key: d for d in metric_diffs(cur, cand, {})}
    assert diffs["auc"].better == "candidate" and diffs["auc"].direction == "max"
    assert diffs["val_loss"].better == "current" and diffs["val_loss"].direction == "min"
    assert diffs["only_old"].candidate is None and diffs["only_old"].better == ""
    flipped = {d.key: d for d in metric_diffs(cur, cand, {"auc": "min"})}
    assert flipped["auc"].better == "current"
    assert [(p.key, p.current, p.candidate) for p in param_diffs(cur, cand)] == [
        ("lr", "0.1", "0.05"), ("seed", None, "7")]


def test_signature_differences_and_deployments() -> None:
    old = VersionLineage(inputs=(SchemaColumn("age", "long"), SchemaColumn("city", "string")),
                         outputs=(SchemaColumn("p", "double"),))
    new = VersionLineage(inputs=(SchemaColumn("age", "double"), SchemaColumn("zip", "string")),
                         outputs=(SchemaColumn("p", "double"),))
    preview = build_preview("m", "champion", ModelVersion("m", 1), None, ModelVersion("m", 2),
                            None, {}, old, new, ["local: m-serving"])
    assert [c.name for c in preview.inputs.added] == ["zip"]
    assert [c.name for c in preview.inputs.removed] == ["city"]
    assert preview.inputs.retyped == (("age", "long", "double"),)
    assert preview.outputs.same
    assert preview.deployments == ("local: m-serving",)
    unknown = VersionLineage(schema_known=False, schema_problem="No MLmodel.")
    note = build_preview("m", "c", ModelVersion("m", 1), None, ModelVersion("m", 2), None, {},
                         unknown, new, []).inputs
    assert not note.known and "current holder unknown: No MLmodel." in note.note


def test_deleting_what_holds_an_alias_or_production_is_refused() -> None:
    model = RegisteredModel("churn", aliases={"champion": 3})
    assert why_not_delete_version(model, ModelVersion("churn", 3)) == (
        "v3 of churn holds @champion: move or remove it before deleting the version.")
    assert "is in Production" in why_not_delete_version(
        model, ModelVersion("churn", 2, current_stage="Production"))
    assert why_not_delete_version(model, ModelVersion("churn", 1)) == ""
    assert "still has aliases: @champion (v3)" in why_not_delete_model(model, {})
    assert "has v2 in Production" in why_not_delete_model(RegisteredModel("churn"),
                                                          {2: "Production"})
