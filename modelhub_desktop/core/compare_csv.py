"""CSV files of a comparison, for spreadsheets and notebooks: final metrics, histories
(long format), one metric across versions, params side by side. Plain Python, no Qt.

Numbers are written as Python writes them (``inf``, ``nan``) so that pandas and
spreadsheets read them back as numbers; missing values are empty cells.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from modelhub_desktop.core.compare import (
    Compared,
    clean,
    final_metrics,
    param_rows,
    smooth,
)
from modelhub_desktop.core.domain import MetricPoint


def _restored(value: float) -> float:
    """A logged value with MLflow's stand-ins for +/-inf turned back into infinities."""
    restored = clean(value)
    return float(value) if restored is None else restored


def _num(value: float | None) -> float | str:
    return "" if value is None else value


def write_final_metrics_csv(path: Path, items: Sequence[Compared], keys: Sequence[str],
                            baseline: int | None = None,
                            directions: Mapping[str, str] | None = None) -> Path:
    """One row per version: version, aliases, run_id, each metric, then (with a baseline)
    each metric's difference to it."""
    rows = final_metrics(items, keys, baseline, directions)
    base_label = (f"v{items[baseline].version.version}"
                  if baseline is not None and 0 <= baseline < len(items) else "")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        header = ["version", "aliases", "run_id", *keys]
        if base_label:
            header += [f"{k} - {base_label}" for k in keys]
        w.writerow(header)
        for i, c in enumerate(items):
            line = [c.version.version, " ".join(c.version.aliases), c.run_id,
                    *[_num(r.values[i]) for r in rows]]
            if base_label:
                line += [_num(r.diffs[i]) for r in rows]
            w.writerow(line)
    return path


def write_histories_csv(path: Path, series_points: Mapping[str, Sequence[MetricPoint]],
                        smoothing: float = 0.0) -> Path:
    """Chart data in long format: series, run_id, metric, step, timestamp, relative_s,
    value, smoothed."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["series", "run_id", "metric", "step", "timestamp", "relative_s", "value",
                    "smoothed"])
        for label, points in series_points.items():
            if not points:
                continue
            t0 = min(p.timestamp for p in points)
            values = [_restored(p.value) for p in points]
            smoothed = smooth(values, smoothing)
            for p, v, s in zip(points, values, smoothed, strict=True):
                w.writerow([label, p.run_id, p.key, p.step, p.timestamp,
                            (p.timestamp - t0) / 1000, v, s])
    return path


def write_across_csv(path: Path, items: Sequence[Compared], key: str) -> Path:
    """Every version's latest value of `key` (empty where it has none)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["version", "aliases", "registered_ms", "run_id", key])
        for c in sorted(items, key=lambda c: c.version.version):
            w.writerow([c.version.version, " ".join(c.version.aliases),
                        c.version.creation_timestamp, c.run_id, _num(c.metric(key))])
    return path


def write_params_csv(path: Path, items: Sequence[Compared],
                     only_differences: bool = False) -> Path:
    """Params side by side: one row per param, one column per version."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["param", *[c.label for c in items]])
        for row in param_rows(items, only_differences):
            w.writerow([row.key, *["" if v is None else v for v in row.values]])
    return path
