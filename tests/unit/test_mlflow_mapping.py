"""MLflow's own entity objects -> the app's records; the records survive the cache codec."""

from __future__ import annotations

import math

from modelhub_desktop.core import codec
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.lineage import mlflow_ui_url
from modelhub_desktop.core.mlflow_errors import first_line
from modelhub_desktop.core.mlflow_mapping import (
    logged_model_id,
    to_logged_model,
    to_model,
    to_points,
    to_run,
    to_version,
)


def _run(lifecycle_stage: str = "active") -> object:
    from mlflow.entities import (
        Dataset,
        DatasetInput,
        InputTag,
        Metric,
        Param,
        Run,
        RunData,
        RunInfo,
        RunInputs,
        RunTag,
    )

    info = RunInfo("r1", "7", "ana", "FINISHED", 1000, 4000, lifecycle_stage, run_name="bold-fox")
    data = RunData(metrics=[Metric("rmse", 0.5, 1, 2), Metric("top", math.inf, 1, 2)],
                   params=[Param("depth", "4")], tags=[RunTag("mlflow.parentRunId", "p0")])
    inputs = RunInputs([DatasetInput(Dataset("iris", "d1g", "path", "/data/iris.csv"),
                                     [InputTag("mlflow.data.context", "training")])])
    return Run(info, data, inputs)


def test_run_with_datasets_and_infinite_metric() -> None:
    run = to_run(_run(), {"7": "iris experiments"})
    assert (run.run_id, run.run_name, run.experiment_name) == ("r1", "bold-fox",
                                                               "iris experiments")
    assert run.metrics == {"rmse": 0.5, "top": math.inf}
    assert run.params == {"depth": "4"} and run.parent_run_id == "p0"
    assert run.duration_ms == 3000 and not run.deleted
    [ds] = run.datasets
    assert (ds.name, ds.digest, ds.source, ds.context) == ("iris", "d1g", "/data/iris.csv",
                                                            "training")
    assert codec.run_from(codec.dumps(run)) == run


def test_deleted_run_is_marked_and_has_no_ui_link() -> None:
    run = to_run(_run("deleted"), {})
    assert run.deleted and run.metrics["rmse"] == 0.5
    again = codec.run_from(codec.dumps(run))
    assert again.deleted and again == run
    assert mlflow_ui_url(Profile("p", "https://ml.example.com"), run) == ""
    alive = to_run(_run(), {})
    assert mlflow_ui_url(Profile("p", "https://ml.example.com"), alive) == \
        "https://ml.example.com/#/experiments/7/runs/r1"


def test_model_aliases_from_either_form() -> None:
    from mlflow.entities.model_registry import (
        ModelVersion,
        RegisteredModel,
        RegisteredModelAlias,
    )

    latest = [ModelVersion("m", "3", 1), ModelVersion("m", "5", 1)]
    as_objects = RegisteredModel("m", 10, 20, "about", latest, None,
                                 [RegisteredModelAlias("champion", "5")])
    model = to_model(as_objects)
    assert model.aliases == {"champion": 5} and model.latest_version == 5
    assert model.description == "about" and model.last_updated_timestamp == 20
    assert codec.model_from(codec.dumps(model)) == model
    bare = RegisteredModel("empty")
    assert to_model(bare).latest_version is None and to_model(bare).aliases == {}


def test_version_and_logged_model_id() -> None:
    from mlflow.entities import LoggedModel
    from mlflow.entities.model_registry import ModelVersion

    mv = ModelVersion("m", "2", 5, 6, source="models:/m-abc", run_id="r1", status="READY")
    version = to_version(mv, ("champion",))
    assert (version.version, version.model_id, version.aliases) == (2, "m-abc", ("champion",))
    assert version.current_stage == "None"
    assert codec.version_from(codec.dumps(version)) == version
    assert logged_model_id("models:/m-xyz/extra") == "m-xyz"
    assert logged_model_id("s3://b/m-xyz") == ""
    lm = to_logged_model(LoggedModel("7", "m-abc", "clf", "s3://b/exp/models/m-abc/artifacts",
                                     1, 2))
    assert (lm.model_id, lm.name, lm.artifact_location) == (
        "m-abc", "clf", "s3://b/exp/models/m-abc/artifacts")


def test_points_and_first_line() -> None:
    from mlflow.entities import Metric

    points = to_points("r1", "loss", [Metric("loss", 0.5, 10, 2), Metric("loss", 0.25, 11, 3)])
    assert [(p.step, p.value, p.timestamp) for p in points] == [(2, 0.5, 10), (3, 0.25, 11)]
    assert first_line("\n  head\nrest") == "head" and first_line("") == ""
