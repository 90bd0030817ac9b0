"""MLflow entities -> the app's domain records.

MLflow's objects are mutable, tied to the mlflow import and not JSON-friendly; everything past
the gateway works with the frozen records of `domain.py` instead. Entities are read by
attribute (duck-typed), so the mapping works for REST and embedded stores alike.
"""

from __future__ import annotations

from typing import Any

from modelhub_desktop.core.domain import (
    DatasetInput,
    LoggedModel,
    MetricPoint,
    ModelVersion,
    RegisteredModel,
    RunData,
)


def to_model(m: Any) -> RegisteredModel:
    """A registered model; aliases come as a dict or as alias objects depending on the store."""
    latest = [int(v.version) for v in (m.latest_versions or [])]
    raw = getattr(m, "aliases", None) or {}
    if isinstance(raw, dict):
        aliases = {str(k): int(v) for k, v in raw.items()}
    else:
        aliases = {a.alias: int(a.version) for a in raw}
    return RegisteredModel(
        name=m.name,
        description=m.description or "",
        creation_timestamp=int(m.creation_timestamp or 0),
        last_updated_timestamp=int(m.last_updated_timestamp or 0),
        latest_version=max(latest) if latest else None,
        aliases=aliases,
        tags=dict(m.tags or {}),
    )


def to_version(v: Any, aliases: tuple[str, ...]) -> ModelVersion:
    """A model version with the aliases that point at it (search results carry none)."""
    return ModelVersion(
        model_name=v.name,
        version=int(v.version),
        creation_timestamp=int(v.creation_timestamp or 0),
        last_updated_timestamp=int(v.last_updated_timestamp or 0),
        user_id=v.user_id or "",
        current_stage=v.current_stage or "None",
        description=v.description or "",
        source=v.source or "",
        run_id=v.run_id or "",
        run_link=v.run_link or "",
        status=str(v.status or "READY"),
        status_message=v.status_message or "",
        tags=dict(v.tags or {}),
        aliases=aliases,
        model_id=getattr(v, "model_id", None) or logged_model_id(v.source or ""),
    )


def logged_model_id(source: str) -> str:
    """MLflow 3 versions registered from a logged model have source `models:/m-<id>`."""
    if source.startswith("models:/m-"):
        return source[len("models:/"):].split("/")[0]
    return ""


def to_run(run: Any, experiment_names: dict[str, str]) -> RunData:
    """A run with its params, latest metrics, tags and dataset inputs."""
    info, data = run.info, run.data
    datasets: list[DatasetInput] = []
    inputs = getattr(run, "inputs", None)
    for d in getattr(inputs, "dataset_inputs", None) or []:
        ctx = next((t.value for t in d.tags or [] if t.key == "mlflow.data.context"), "")
        ds = d.dataset
        datasets.append(
            DatasetInput(ds.name, ds.digest or "", ds.source_type or "", ds.source or "", ctx)
        )
    return RunData(
        run_id=info.run_id,
        run_name=info.run_name or "",
        experiment_id=str(info.experiment_id),
        experiment_name=experiment_names.get(str(info.experiment_id), ""),
        status=str(info.status or ""),
        lifecycle_stage=info.lifecycle_stage or "active",
        start_time=info.start_time,
        end_time=info.end_time,
        user_id=info.user_id or "",
        params=dict(data.params or {}),
        metrics={k: float(v) for k, v in (data.metrics or {}).items()},
        tags=dict(data.tags or {}),
        datasets=tuple(datasets),
    )


def to_logged_model(lm: Any) -> LoggedModel:
    """An MLflow 3 logged model: its name and where its files are."""
    return LoggedModel(
        model_id=str(lm.model_id),
        name=lm.name or "",
        artifact_location=lm.artifact_location or "",
    )


def to_points(run_id: str, key: str, metrics: Any) -> list[MetricPoint]:
    """Metric entities of one run and key, in the order the store gave them."""
    return [MetricPoint(run_id, key, float(m.value), int(m.step), int(m.timestamp))
            for m in metrics]
