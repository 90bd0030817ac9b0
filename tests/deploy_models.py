"""Real scikit-learn versions on a real mlflow server, for the deploy tests and benchmark."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.builders import client_for

IRIS_COLUMNS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)",
                "petal width (cm)"]
ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]]


def payload(rows: list[list[float]] = ROWS) -> dict[str, Any]:
    return {"dataframe_split": {"columns": IRIS_COLUMNS, "data": rows}}


@contextmanager
def fluent_uri(url: str) -> Iterator[Any]:
    """mlflow's fluent API pointed at `url` for the duration (env restored afterwards)."""
    import mlflow

    saved = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    mlflow.set_tracking_uri(url)
    mlflow.set_registry_uri(url)
    try:
        yield mlflow
    finally:
        mlflow.set_tracking_uri("")
        mlflow.set_registry_uri("")
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def iris_models() -> list[Any]:
    """Two different scikit-learn models on iris: a logistic regression and a constant."""
    from sklearn.datasets import load_iris
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True, as_frame=True)
    return [LogisticRegression(max_iter=300).fit(X, y),
            DummyClassifier(strategy="constant", constant=2).fit(X, y)]


def register_sklearn(url: str, name: str, models: list[Any]) -> list[int]:
    """Log each model in its own run and register it as the next version of `name`."""
    import pandas as pd

    versions = []
    with fluent_uri(url) as mlflow:
        exp = mlflow.set_experiment(f"deploy-{name}")
        for model in models:
            with mlflow.start_run(experiment_id=exp.experiment_id):
                example = pd.DataFrame(ROWS[:1], columns=IRIS_COLUMNS)
                info = mlflow.sklearn.log_model(model, name="model", input_example=example)
            mv = client_for(url).create_model_version(name, info.model_uri,
                                                      model_id=info.model_id)
            versions.append(int(mv.version))
    return versions


def register_folder(url: str, name: str, mlmodel_text: str) -> int:
    """A version whose model folder holds only the given MLmodel file."""
    client = client_for(url)
    with fluent_uri(url) as mlflow, tempfile.TemporaryDirectory() as tmp:
        exp = mlflow.set_experiment(f"deploy-{name}")
        folder = Path(tmp) / "model"
        folder.mkdir()
        (folder / "MLmodel").write_text(mlmodel_text, encoding="utf-8")
        with mlflow.start_run(experiment_id=exp.experiment_id) as run:
            mlflow.log_artifacts(str(folder), "model")
        mv = client.create_model_version(name, f"{run.info.artifact_uri}/model",
                                         run_id=run.info.run_id)
    return int(mv.version)
