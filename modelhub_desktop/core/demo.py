"""The embedded demo registry: real scikit-learn models on data sets scikit-learn ships.

`--demo` fills the Local profile's sqlite store once: three registered models, 4-6 versions
each, every version from its own run with params, per-epoch metric histories, tags, the
training dataset, a signature and an input example, and `champion` / `challenger` aliases.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelhub_desktop.core.errors import Cancelled

DEMO_EXPERIMENT = "ModelHub demo"
DEMO_TAG = "modelhub.demo"


@dataclass(frozen=True)
class DemoSummary:
    models: int
    versions: int
    seconds: float
    already_present: bool


@dataclass(frozen=True)
class _Spec:
    model_name: str
    dataset: str
    task: str  # "classification" | "regression"
    description: str
    tags: dict[str, str]
    variants: list[dict[str, Any]]


SPECS = [
    _Spec(
        "iris-classifier", "iris", "classification",
        "Predicts the **iris species** from sepal and petal measurements.\n\n"
        "Trained with `SGDClassifier` (logistic loss); one epoch per step.",
        {"task": "classification", "team": "botany", "data": "iris"},
        [{"alpha": a, "eta0": e} for a, e in
         [(1e-2, 0.01), (1e-3, 0.01), (1e-4, 0.05), (1e-3, 0.1), (3e-4, 0.02)]],
    ),
    _Spec(
        "wine quality – ünïcode", "wine", "classification",
        "Classifies **wines** into three cultivars from 13 chemical measurements.",
        {"task": "classification", "team": "oenology", "data": "wine"},
        [{"alpha": a, "eta0": e} for a, e in
         [(1e-2, 0.005), (1e-3, 0.01), (1e-4, 0.01), (3e-3, 0.05), (1e-4, 0.1), (5e-4, 0.02)]],
    ),
    _Spec(
        "diabetes-regressor", "diabetes", "regression",
        "Predicts **disease progression** one year after baseline (diabetes data set).",
        {"task": "regression", "team": "clinical", "data": "diabetes"},
        [{"alpha": a, "eta0": e} for a, e in [(1e-4, 0.01), (1e-3, 0.005), (1e-2, 0.02),
                                              (1e-5, 0.01)]],
    ),
]
EPOCHS = 30


def _already_seeded(client: Any) -> bool:
    exp = client.get_experiment_by_name(DEMO_EXPERIMENT)
    if exp is None:
        return False
    names = {m.name for m in client.search_registered_models(max_results=100)}
    return all(s.model_name in names for s in SPECS)


def seed_demo_registry(
    tracking_uri: str,
    artifact_root: str,
    progress: Callable[[int, int, str], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> DemoSummary:
    """Fill the store at `tracking_uri` with the demo models, once."""
    start = time.perf_counter()
    from modelhub_desktop.core.mlflow_import import import_mlflow

    mlflow = import_mlflow()
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    if _already_seeded(client):
        return DemoSummary(len(SPECS), 0, time.perf_counter() - start, True)

    total = sum(len(s.variants) for s in SPECS)
    Path(artifact_root).mkdir(parents=True, exist_ok=True)
    exp = client.get_experiment_by_name(DEMO_EXPERIMENT)
    exp_id = exp.experiment_id if exp else client.create_experiment(
        DEMO_EXPERIMENT, artifact_location=Path(artifact_root).resolve().as_uri())
    done = 0
    with _process_uris(mlflow, tracking_uri), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for spec in SPECS:
            _ensure_model(client, spec)
            scores: list[tuple[float, int]] = []
            for i, params in enumerate(spec.variants):
                if is_cancelled is not None and is_cancelled():
                    raise Cancelled("Demo seeding cancelled.")
                version, score = _train_version(mlflow, client, exp_id, spec, i, params)
                scores.append((score, version))
                done += 1
                if progress is not None:
                    progress(done, total, f"{spec.model_name} v{version}")
            ranked = sorted(scores, reverse=True)
            client.set_registered_model_alias(spec.model_name, "champion", str(ranked[0][1]))
            latest = max(v for _, v in scores)
            challenger = latest if latest != ranked[0][1] else ranked[1][1]
            client.set_registered_model_alias(spec.model_name, "challenger", str(challenger))
    return DemoSummary(len(SPECS), done, time.perf_counter() - start, False)


@contextmanager
def _process_uris(mlflow: Any, uri: str) -> Iterator[None]:
    """Point mlflow's fluent API at `uri` for the duration, then put everything back.

    `mlflow.set_tracking_uri` also exports MLFLOW_TRACKING_URI; left behind, it would make
    an "Environment" profile appear.
    """
    from mlflow.tracking._model_registry import utils as registry_utils
    from mlflow.tracking._tracking_service import utils as tracking_utils

    saved_env = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    saved = (tracking_utils._tracking_uri, registry_utils._registry_uri)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        yield
    finally:
        tracking_utils._tracking_uri, registry_utils._registry_uri = saved
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _ensure_model(client: Any, spec: _Spec) -> None:
    from mlflow.exceptions import MlflowException

    try:
        client.get_registered_model(spec.model_name)
    except MlflowException:
        client.create_registered_model(
            spec.model_name, tags={**spec.tags, DEMO_TAG: "1"}, description=spec.description
        )


def _load(dataset: str) -> tuple[Any, Any]:
    from sklearn import datasets

    loader = {"iris": datasets.load_iris, "wine": datasets.load_wine,
              "diabetes": datasets.load_diabetes}[dataset]
    frame = loader(as_frame=True).frame
    return frame, frame.pop("target")


def _train_version(mlflow: Any, client: Any, exp_id: str, spec: _Spec, index: int,
                   params: dict[str, Any]) -> tuple[int, float]:
    """Train one variant epoch by epoch, log everything, register it. Returns (version, score)."""
    import numpy as np
    from mlflow.entities import Metric
    from mlflow.models import infer_signature
    from sklearn.linear_model import SGDClassifier, SGDRegressor
    from sklearn.metrics import accuracy_score, f1_score, log_loss, mean_absolute_error, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _load(spec.dataset)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=index)
    scaler = StandardScaler().fit(X_tr)
    Xs_tr, Xs_te = scaler.transform(X_tr), scaler.transform(X_te)
    classify = spec.task == "classification"
    est: Any
    if classify:
        est = SGDClassifier(loss="log_loss", alpha=params["alpha"], eta0=params["eta0"],
                            learning_rate="constant", random_state=index)
        classes = np.unique(y)
    else:
        est = SGDRegressor(alpha=params["alpha"], eta0=params["eta0"],
                           learning_rate="invscaling", random_state=index)
    now = int(time.time() * 1000)
    history: list[Metric] = []
    for epoch in range(EPOCHS):
        if classify:
            est.partial_fit(Xs_tr, y_tr, classes=classes)
            history.append(Metric("train_loss", float(log_loss(y_tr, est.predict_proba(Xs_tr),
                                                               labels=classes)), now, epoch))
            history.append(Metric("val_accuracy", float(accuracy_score(y_te, est.predict(Xs_te))),
                                  now, epoch))
        else:
            est.partial_fit(Xs_tr, y_tr)
            rmse_tr = float(np.sqrt(np.mean((est.predict(Xs_tr) - y_tr) ** 2)))
            rmse_te = float(np.sqrt(np.mean((est.predict(Xs_te) - y_te) ** 2)))
            history.append(Metric("train_rmse", rmse_tr, now, epoch))
            history.append(Metric("val_rmse", rmse_te, now, epoch))
        now += 1000
    model = make_pipeline(scaler, est)
    pred = model.predict(X_te)
    if classify:
        final = {"accuracy": float(accuracy_score(y_te, pred)),
                 "f1_macro": float(f1_score(y_te, pred, average="macro")),
                 "log_loss": float(log_loss(y_te, model.predict_proba(X_te), labels=classes))}
        score = final["accuracy"] - final["log_loss"] * 1e-3
    else:
        rmse = float(np.sqrt(np.mean((pred - y_te) ** 2)))
        final = {"rmse": rmse, "r2": float(r2_score(y_te, pred)),
                 "mae": float(mean_absolute_error(y_te, pred))}
        score = -rmse
    run_name = f"{spec.dataset}-sgd-{index + 1}"
    with mlflow.start_run(experiment_id=exp_id, run_name=run_name) as run:
        rid = run.info.run_id
        mlflow.log_params({**params, "model": type(est).__name__, "epochs": EPOCHS,
                           "dataset": spec.dataset, "n_features": X.shape[1],
                           "test_size": 0.3, "random_state": index})
        client.log_batch(rid, metrics=history + [
            Metric(k, v, now, EPOCHS) for k, v in final.items()])
        mlflow.set_tags({"task": spec.task, "trainer": "modelhub-demo",
                         "mlflow.note.content": f"Variant {index + 1} of {spec.model_name}"})
        train_df = X_tr.assign(target=y_tr.values)
        mlflow.log_input(mlflow.data.from_pandas(train_df, name=spec.dataset, targets="target"),
                         context="training")
        signature = infer_signature(X_te, pred)
        info = mlflow.sklearn.log_model(
            model, name="model", signature=signature, input_example=X_te.iloc[:3],
            pip_requirements=_requirements(),
        )
        # The model exists (`_ensure_model`): register the version with the client, not with
        # log_model's registered_model_name, which prints "Registered model ... already
        # exists" for every version.
        registered = client.create_model_version(
            spec.model_name, info.model_uri, run_id=rid, model_id=info.model_id)
    version = int(registered.version)
    if index % 2 == 0:
        client.update_model_version(
            spec.model_name, str(version),
            f"Variant {index + 1}: `alpha={params['alpha']}`, `eta0={params['eta0']}`.\n\n"
            f"Held-out {'accuracy' if classify else 'RMSE'}: "
            f"**{final['accuracy' if classify else 'rmse']:.3f}**",
        )
    client.set_model_version_tag(spec.model_name, str(version), "validation",
                                 "passed" if index % 3 else "pending")
    return version, score


def _requirements() -> list[str]:
    import sklearn

    return [f"scikit-learn=={sklearn.__version__}"]
