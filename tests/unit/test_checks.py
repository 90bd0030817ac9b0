"""Automated checks: rule texts, each rule's pass/fail/skipped sentence, the smoke test
through a DeployBackend (a small fake backend: the real one is in the e2e tests)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from modelhub_desktop.core.checks import (
    CheckInputs,
    Column,
    NotWorse,
    Signature,
    parse_rule,
    parse_rules,
    run_checks,
    signature_differences,
)
from modelhub_desktop.core.deploy.base import DeploymentRecord, Prediction
from modelhub_desktop.core.deploy.fetch import LocalModel, ModelRef
from modelhub_desktop.core.domain import ModelVersion, Profile, RunData
from modelhub_desktop.core.errors import (
    Cancelled,
    InvalidInput,
    ModelHubError,
    NotFound,
    Unreachable,
)
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.smoke_check import (
    serve_settings,
    service_smoke,
    smoke_test,
    well_formed,
)

COLS = (Column("age", "double"), Column("visits", "long"))
SIG = Signature(COLS)


def _inputs(auc: float = 0.85, loss: float = 0.3, tags: dict[str, str] | None = None,
            status: str = "FINISHED", sig: Signature | None = SIG,
            example: object | None = None) -> CheckInputs:
    cand = ModelVersion("m", 4, run_id="r4", tags=tags or {})
    holder = ModelVersion("m", 3, run_id="r3")
    return CheckInputs(cand, RunData("r4", status=status, metrics={"auc": auc, "val_loss": loss}),
                       "@champion", holder,
                       RunData("r3", status="FINISHED", metrics={"auc": 0.8, "val_loss": 0.25}),
                       sig, Signature(COLS), example)


def test_rules_parse_and_say_what_is_wrong() -> None:
    rules = parse_rules(["metric auc >= 0.8  # floor", "", "not-worse val_loss 0.1",
                         "tag validation_status = passed", "signature", "run-finished",
                         "smoke"])
    assert [r.text for r in rules] == ["metric auc >= 0.8", "not-worse val_loss 0.1",
                                       "tag validation_status = passed", "signature",
                                       "run-finished", "smoke"]
    assert parse_rule("not-worse auc -0.02") == NotWorse("auc", 0.02)
    with pytest.raises(InvalidInput, match="is not understood"):
        parse_rule("auc at least 0.8")
    with pytest.raises(InvalidInput, match="not a number"):
        parse_rule("metric auc >= high")


def test_each_rule_passes_fails_or_skips_with_a_sentence() -> None:
    rules = parse_rules(["metric auc >= 0.8", "not-worse auc 0.02", "not-worse val_loss 0.02",
                         "tag validation_status = passed", "signature", "run-finished"])
    good = run_checks(rules, _inputs(tags={"validation_status": "passed"}))
    assert [c.status for c in good] == ["pass", "pass", "fail", "pass", "pass", "pass"]
    assert good[0].message == "auc is 0.85, meets >= 0.8."
    # lower is better for a loss: 0.3 vs 0.25 is worse by 0.05
    assert good[2].message == ("val_loss 0.3 vs 0.25 for v3 (lower is better): worse by "
                               "0.05, more than 0.02.")
    bad = run_checks(rules, _inputs(auc=0.7, tags={"validation_status": "failed"},
                                    status="RUNNING", sig=Signature((), False, "Schema unknown.")))
    assert [c.status for c in bad] == ["fail", "fail", "fail", "fail", "fail", "fail"]
    assert bad[3].message == "Tag validation_status is 'failed', not 'passed'."
    assert bad[4].message == "Schema unknown."
    assert bad[5].message == "The source run is RUNNING, not FINISHED."
    first = CheckInputs(ModelVersion("m", 1, run_id="r1"), RunData("r1", metrics={"auc": 0.9}),
                        "@champion")
    assert [c.status for c in run_checks(parse_rules(["not-worse auc 0.1"]), first)] == [
        "skipped"]


def test_signature_compatibility_names_removed_and_retyped_columns() -> None:
    new = (Column("age", "string"), Column("plan", "string"))
    assert signature_differences(COLS, new) == (["visits"], ["age (double -> string)"])
    check = run_checks(parse_rules(["signature"]), _inputs(sig=Signature(new)))[0]
    assert check.status == "fail"
    assert check.message == ("Incompatible with v3's inputs: removed visits; retyped age "
                             "(double -> string).")
    added = COLS + (Column("plan", "string"),)
    assert run_checks(parse_rules(["signature"]), _inputs(sig=Signature(added)))[0].status == "pass"


class FakeBackend:
    """A DeployBackend that answers from a script and records what was asked of it."""

    kind = "local"

    def __init__(self, answer: Prediction | None = None,
                 fail_create: ModelHubError | None = None) -> None:
        self.answer, self.fail_create = answer, fail_create
        self.calls: list[str] = []

    def create(self, name: str, model_uri: str, settings: Mapping[str, str],
               ctx: TaskContext) -> DeploymentRecord:
        self.calls.append(f"create {model_uri} host={settings['host']}")
        if self.fail_create:
            raise self.fail_create
        return DeploymentRecord(name, "local", model_uri, "m", 4, endpoint="http://x")

    def predict(self, record: DeploymentRecord, payload: object) -> Prediction:
        self.calls.append("predict")
        assert self.answer is not None
        return self.answer

    def stop(self, record: DeploymentRecord) -> DeploymentRecord:
        self.calls.append("stop")
        return record

    def delete(self, record: DeploymentRecord) -> None:
        self.calls.append("delete")


EXAMPLE = {"dataframe_split": {"columns": ["age", "visits"], "data": [[1.0, 2], [3.0, 4]]}}


def test_smoke_test_serves_predicts_and_always_takes_the_deployment_down() -> None:
    rules = parse_rules(["smoke"])
    ok = FakeBackend(Prediction(200, {"predictions": [0, 1]}, 12.0))
    result = run_checks(rules, _inputs(example=EXAMPLE), smoke_test(ok))[0]
    assert (result.status, result.message) == ("pass", "Served and answered 2 predictions in "
                                                         "12 ms.")
    assert ok.calls == ["create models:/m/4 host=127.0.0.1", "predict", "stop", "delete"]

    short = FakeBackend(Prediction(200, {"predictions": [0]}, 5.0))
    assert run_checks(rules, _inputs(example=EXAMPLE), smoke_test(short))[0].message == (
        "The served model answered 1 prediction for 2 rows.")
    down = FakeBackend(fail_create=Unreachable("port 5001 is in use"))
    failed = run_checks(rules, _inputs(example=EXAMPLE), smoke_test(down))[0]
    assert (failed.status, failed.message) == ("fail", "Serving v4 failed: port 5001 is in use")
    assert down.calls == ["create models:/m/4 host=127.0.0.1"]
    skipped = run_checks(rules, _inputs(), smoke_test(ok))[0]
    assert skipped.status == "skipped" and "no serving input example" in skipped.message
    assert run_checks(rules, _inputs(example=EXAMPLE))[0].status == "skipped"


def test_well_formed_answers() -> None:
    assert well_formed(Prediction(500, {"error_code": "X"}, 3.0, "boom"), EXAMPLE) == (
        False, "The served model answered HTTP 500: boom")
    assert well_formed(Prediction(200, {"result": 1}, 3.0), EXAMPLE) == (
        False, "The served model answered without predictions.")


class FakeServer:
    """The deploy service as the smoke check sees it: fetches from a script."""

    def __init__(self, backend: FakeBackend, loader: str = "mlflow.sklearn",
                 fail: ModelHubError | None = None) -> None:
        self.local, self.loader, self.fail = backend, loader, fail
        self.profile = Profile("team", "http://registry:5000", source="config")
        self.fetched: list[str] = []

    def fetch_model(self, model_uri: str, ctx: TaskContext | None = None) -> LocalModel:
        self.fetched.append(model_uri)
        if self.fail:
            raise self.fail
        return LocalModel(ModelRef("m", 4), Path("/nowhere"), ("python_function",), self.loader)


def test_service_smoke_fetches_first_and_serves_only_what_the_app_carries() -> None:
    rules = parse_rules(["smoke"])
    ok = FakeBackend(Prediction(200, {"predictions": [0, 1]}, 12.0))
    server = FakeServer(ok)
    assert run_checks(rules, _inputs(example=EXAMPLE), service_smoke(server))[0].status == "pass"
    assert server.fetched == ["models:/m/4"] and ok.calls[-2:] == ["stop", "delete"]
    assert serve_settings(server.profile) == {"profile": "team"}
    assert serve_settings(Profile("x", "http://h:1", source="command-line")) == {
        "tracking_uri": "http://h:1"}

    other = FakeBackend(Prediction(200, {"predictions": [0, 1]}, 12.0))
    xgb = run_checks(rules, _inputs(example=EXAMPLE),
                     service_smoke(FakeServer(other, loader="mlflow.xgboost")))[0]
    assert xgb.status == "skipped" and "Python environment" in xgb.message
    assert other.calls == []
    gone = NotFound("models:/m/4 cannot be served: there is no MLmodel file at s3://b/m.")
    missing = run_checks(rules, _inputs(example=EXAMPLE),
                         service_smoke(FakeServer(other, fail=gone)))[0]
    assert (missing.status, missing.message) == ("fail", str(gone))
    bad = run_checks(rules, _inputs(example={"rows": [1]}), service_smoke(server))[0]
    assert bad.status == "fail" and bad.message.startswith(
        "The serving input example is not a scoring request: ")


def test_a_cancelled_smoke_check_propagates_and_serves_nothing() -> None:
    cancelled = FakeBackend(fail_create=Cancelled("Deployment cancelled."))
    with pytest.raises(Cancelled):
        run_checks(parse_rules(["smoke"]), _inputs(example=EXAMPLE),
                   service_smoke(FakeServer(cancelled)))
    assert cancelled.calls == ["create models:/m/4 host=127.0.0.1"]
