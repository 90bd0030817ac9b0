"""JSON encoding of domain records for the cache.

NaN and +/-inf survive (Python's json writes them as NaN/Infinity and reads them back);
tuples come back as tuples so records compare equal after a round trip.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from modelhub_desktop.core.domain import (
    DatasetInput,
    MetricPoint,
    ModelVersion,
    RegisteredModel,
    RunData,
)


def dumps(record: Any) -> str:
    return json.dumps(asdict(record), ensure_ascii=False, separators=(",", ":"))


def model_from(text: str) -> RegisteredModel:
    d = json.loads(text)
    d["aliases"] = {str(k): int(v) for k, v in d.get("aliases", {}).items()}
    return RegisteredModel(**d)


def version_from(text: str) -> ModelVersion:
    d = json.loads(text)
    d["aliases"] = tuple(d.get("aliases", ()))
    return ModelVersion(**d)


def run_from(text: str) -> RunData:
    d = json.loads(text)
    d["datasets"] = tuple(DatasetInput(**x) for x in d.get("datasets", ()))
    d["metrics"] = {k: float(v) for k, v in d.get("metrics", {}).items()}
    return RunData(**d)


def points_dumps(points: list[MetricPoint]) -> str:
    """Compact columnar form: histories can be 100k points long."""
    return json.dumps(
        {
            "step": [p.step for p in points],
            "value": [p.value for p in points],
            "timestamp": [p.timestamp for p in points],
        },
        separators=(",", ":"),
    )


def points_from(run_id: str, key: str, text: str) -> list[MetricPoint]:
    d = json.loads(text)
    return [
        MetricPoint(run_id, key, float(v), int(s), int(t))
        for s, v, t in zip(d["step"], d["value"], d["timestamp"], strict=True)
    ]
