"""Data preparation for comparing versions: final metrics, best values, diffs, smoothing, CSV."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from modelhub_desktop.core.domain import MetricPoint, ModelVersion, RunData
from modelhub_desktop.core.metrics import lower_is_better


@dataclass(frozen=True)
class Compared:
    """One version in a comparison (run may be missing: registered from a path, or deleted)."""

    version: ModelVersion
    run: RunData | None

    @property
    def label(self) -> str:
        aliases = " ".join(f"@{a}" for a in self.version.aliases)
        return f"v{self.version.version}" + (f" {aliases}" if aliases else "")


def metric_keys(items: Sequence[Compared]) -> list[str]:
    keys = {k for c in items if c.run for k in c.run.metrics}
    return sorted(keys, key=str.casefold)


def default_history_metric(keys: Sequence[str]) -> str:
    """The metric to chart first: a training/validation loss if there is one."""
    def rank(key: str) -> tuple[int, str]:
        k = key.lower()
        per_step = any(t in k for t in ("train", "val", "epoch", "step"))
        lossy = lower_is_better(k)
        return (0 if per_step and lossy else 1 if per_step else 2 if lossy else 3, k)

    return min(keys, key=rank) if keys else ""


def best_values(items: Sequence[Compared], keys: Sequence[str],
                directions: dict[str, str] | None = None) -> dict[str, float]:
    """Best finite value per metric (min for loss-like names unless told otherwise)."""
    out: dict[str, float] = {}
    for key in keys:
        values = [v for c in items
                  if c.run and math.isfinite(v := c.run.metrics.get(key, math.nan))]
        if not values:
            continue
        direction = (directions or {}).get(key) or ("min" if lower_is_better(key) else "max")
        out[key] = min(values) if direction == "min" else max(values)
    return out


def diff_to_baseline(items: Sequence[Compared], baseline: Compared, key: str
                     ) -> dict[int, float | None]:
    """version -> value minus the baseline's value (None when either is missing)."""
    base = baseline.run.metrics.get(key) if baseline.run else None
    out: dict[int, float | None] = {}
    for c in items:
        value = c.run.metrics.get(key) if c.run else None
        out[c.version.version] = (value - base if value is not None and base is not None
                                  and math.isfinite(value) and math.isfinite(base) else None)
    return out


def param_table(items: Sequence[Compared], only_differences: bool = False
                ) -> list[tuple[str, list[str]]]:
    """(param, value per version) rows; "" where a version has no such param.

    Versions without a run are shown empty but do not make a param count as different.
    """
    keys = sorted({k for c in items if c.run for k in c.run.params}, key=str.casefold)
    rows = []
    for key in keys:
        values = [(c.run.params.get(key, "") if c.run else "") for c in items]
        with_runs = {c.run.params.get(key, "") for c in items if c.run}
        if only_differences and len(with_runs) <= 1:
            continue
        rows.append((key, values))
    return rows


def smooth(values: Sequence[float], weight: float) -> list[float]:
    """Exponential moving average (TensorBoard-style, debiased); NaN/inf pass through."""
    if weight <= 0:
        return list(values)
    out: list[float] = []
    last, n = 0.0, 0
    for v in values:
        if not math.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        n += 1
        out.append(last / (1 - weight**n))
    return out


def xy(points: Sequence[MetricPoint], x_axis: str = "step") -> tuple[list[float], list[float]]:
    """x (step, wall time in s, or seconds since the first point) and y for a history."""
    if not points:
        return [], []
    if x_axis == "wall":
        xs = [p.timestamp / 1000 for p in points]
    elif x_axis == "relative":
        t0 = points[0].timestamp
        xs = [(p.timestamp - t0) / 1000 for p in points]
    else:
        xs = [float(p.step) for p in points]
    return xs, [p.value for p in points]


def write_final_metrics_csv(path: Path, items: Sequence[Compared], keys: Sequence[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["version", "aliases", *keys])
        for c in items:
            w.writerow([c.version.version, " ".join(c.version.aliases),
                        *[(c.run.metrics.get(k, "") if c.run else "") for k in keys]])


def write_histories_csv(path: Path, series: dict[str, Sequence[MetricPoint]]) -> None:
    """Long format: series label, metric, step, timestamp, value."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["series", "metric", "step", "timestamp", "value"])
        for label, points in series.items():
            for p in points:
                w.writerow([label, p.key, p.step, p.timestamp, p.value])
