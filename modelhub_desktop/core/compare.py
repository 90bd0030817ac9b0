"""Data preparation for comparing versions: final metrics, best values, baseline diffs,
params side by side, smoothing and chart axes. Plain Python, no Qt (CSV files are
written by `compare_csv`).

Every function accepts what the registry really holds: versions without a run, metrics
only some versions logged, single-step histories, NaN and infinite values (MLflow stores
+/-inf as +/-1.797e308; `clean` gives them back as infinities), gaps between steps.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass
from typing import Literal, Protocol, TypeGuard

import numpy as np

from modelhub_desktop.core.domain import MetricPoint, ModelVersion, RunData
from modelhub_desktop.core.metrics import lower_is_better

Direction = Literal["min", "max"]
XAxis = Literal["step", "wall", "relative"]
X_AXES: dict[str, str] = {"step": "Step", "wall": "Wall time", "relative": "Relative time"}
FLOAT_MAX = sys.float_info.max


def clean(value: float | None) -> float | None:
    """A metric value as logged: MLflow's stand-ins for +/-inf become infinities again."""
    if value is None:
        return None
    value = float(value)
    if value >= FLOAT_MAX:
        return math.inf
    if value <= -FLOAT_MAX:
        return -math.inf
    return value


def is_finite(value: float | None) -> TypeGuard[float]:
    return value is not None and math.isfinite(value) and abs(value) < FLOAT_MAX


@dataclass(frozen=True)
class Compared:
    """One version in a comparison (run may be missing: registered from a path, or deleted)."""

    version: ModelVersion
    run: RunData | None

    @property
    def label(self) -> str:
        """Legend text: "v3 @champion"."""
        aliases = " ".join(f"@{a}" for a in self.version.aliases)
        return f"v{self.version.version}" + (f" {aliases}" if aliases else "")

    @property
    def run_id(self) -> str:
        return self.run.run_id if self.run else ""

    def metric(self, key: str) -> float | None:
        """Latest value of `key` (None when there is no run or it was not logged)."""
        return clean(self.run.metrics.get(key)) if self.run else None

    @property
    def no_run_reason(self) -> str:
        """Why there are no metrics for this version (empty when it has a run)."""
        if self.run is not None:
            return ""
        if not self.version.run_id:
            return "registered from a path, not from a run"
        return "its run was deleted or is not visible to you"


class VersionLike(Protocol):
    """What `compared` reads of a row (the version table's `VersionRow`)."""

    @property
    def version(self) -> ModelVersion: ...

    @property
    def run(self) -> RunData | None: ...


def compared(rows: Iterable[VersionLike]) -> list[Compared]:
    """Compared items from VersionRow-like objects (`.version`, `.run`)."""
    return [Compared(r.version, r.run) for r in rows]


# -- metrics -------------------------------------------------------------------------------------
def default_direction(key: str) -> Direction:
    """Lower is better for loss/error/rmse/mae/mse-like names, higher for the rest."""
    return "min" if lower_is_better(key) else "max"


def direction_of(key: str, directions: Mapping[str, str] | None = None) -> Direction:
    chosen = (directions or {}).get(key)
    return chosen if chosen in ("min", "max") else default_direction(key)  # type: ignore[return-value]


def metric_keys(items: Sequence[Compared]) -> list[str]:
    """Every metric any of the versions logged, case-insensitively sorted."""
    keys = {k for c in items if c.run for k in c.run.metrics}
    return sorted(keys, key=lambda k: (k.casefold(), k))


def history_rank(key: str) -> tuple[int, str]:
    """Training/validation losses first, then other per-step metrics, then the rest."""
    k = key.lower()
    per_step = any(t in k for t in ("train", "val", "epoch", "step"))
    lossy = lower_is_better(k)
    return (0 if per_step and lossy else 1 if per_step else 2 if lossy else 3, k)


def default_history_metric(keys: Sequence[str]) -> str:
    """The metric to chart first: a training/validation loss if there is one."""
    return min(keys, key=history_rank) if keys else ""


def default_multiples(keys: Sequence[str], limit: int = 4) -> list[str]:
    """Metrics shown as small multiples until the user picks others."""
    return sorted(keys, key=history_rank)[:limit]


def best_values(items: Sequence[Compared], keys: Sequence[str],
                directions: Mapping[str, str] | None = None) -> dict[str, float]:
    """Best finite value per metric (min for loss-like names unless told otherwise)."""
    out: dict[str, float] = {}
    for key in keys:
        values = [v for v in (c.metric(key) for c in items) if is_finite(v)]
        if values:
            out[key] = min(values) if direction_of(key, directions) == "min" else max(values)
    return out


def diff_to_baseline(items: Sequence[Compared], baseline: Compared, key: str
                     ) -> dict[int, float | None]:
    """version -> value minus the baseline's value (None when either is missing/non-finite)."""
    base = baseline.metric(key)
    out: dict[int, float | None] = {}
    for c in items:
        value = c.metric(key)
        out[c.version.version] = _minus(value, base)
    return out


def relative_diff(value: float | None, base: float | None) -> float | None:
    """(value - base) / |base|, None when it is undefined."""
    if not is_finite(value) or not is_finite(base) or base == 0:
        return None
    return (value - base) / abs(base)


def _minus(value: float | None, base: float | None) -> float | None:
    return value - base if is_finite(value) and is_finite(base) else None


@dataclass(frozen=True)
class FinalRow:
    """One metric across the compared versions, as the final-metrics table shows it."""

    key: str
    direction: Direction
    values: tuple[float | None, ...]
    best: float | None
    diffs: tuple[float | None, ...] = ()  # to the baseline, per version
    rel_diffs: tuple[float | None, ...] = ()

    def is_best(self, i: int) -> bool:
        v = self.values[i]
        return self.best is not None and is_finite(v) and v == self.best

    def better(self, i: int) -> bool | None:
        """Whether version i beats the baseline (None: same, or not comparable)."""
        d = self.diffs[i] if i < len(self.diffs) else None
        if d is None or d == 0:
            return None
        return (d < 0) if self.direction == "min" else (d > 0)


def final_metrics(items: Sequence[Compared], keys: Sequence[str] | None = None,
                  baseline: int | None = None,
                  directions: Mapping[str, str] | None = None) -> list[FinalRow]:
    """Rows of the final-metrics table; `baseline` is an index into `items`."""
    keys = metric_keys(items) if keys is None else list(keys)
    best = best_values(items, keys, directions)
    base = items[baseline] if baseline is not None and 0 <= baseline < len(items) else None
    rows = []
    for key in keys:
        values = tuple(c.metric(key) for c in items)
        diffs: tuple[float | None, ...] = ()
        rel: tuple[float | None, ...] = ()
        if base is not None:
            b = base.metric(key)
            diffs = tuple(_minus(v, b) for v in values)
            rel = tuple(relative_diff(v, b) for v in values)
        rows.append(FinalRow(key, direction_of(key, directions), values, best.get(key),
                             diffs, rel))
    return rows


# -- params --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParamRow:
    key: str
    values: tuple[str | None, ...]  # None: that version has no such param (or no run)
    differs: bool


def param_rows(items: Sequence[Compared], only_differences: bool = False) -> list[ParamRow]:
    """Params side by side. Versions without a run show nothing and do not make a param
    count as different; a param only some runs logged does."""
    keys = sorted({k for c in items if c.run for k in c.run.params},
                  key=lambda k: (k.casefold(), k))
    out = []
    for key in keys:
        values = tuple(c.run.params.get(key) if c.run else None for c in items)
        seen = {c.run.params.get(key) for c in items if c.run}
        differs = len(seen) > 1
        if only_differences and not differs:
            continue
        out.append(ParamRow(key, values, differs))
    return out


def param_table(items: Sequence[Compared], only_differences: bool = False
                ) -> list[tuple[str, list[str]]]:
    """(param, value per version) rows; "" where a version has no such param."""
    return [(r.key, [v or "" for v in r.values]) for r in param_rows(items, only_differences)]


# -- histories -----------------------------------------------------------------------------------
def smooth(values: Sequence[float], weight: float) -> list[float]:
    """Exponential moving average (TensorBoard-style, debiased); NaN/inf pass through and
    do not disturb the average. `weight` 0 (off) .. <1 (very smooth)."""
    if weight <= 0:
        return list(values)
    weight = min(weight, 0.999)
    out: list[float] = []
    last, n = 0.0, 0
    for v in values:
        if not math.isfinite(v) or abs(v) >= FLOAT_MAX:
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        n += 1
        out.append(last / (1 - weight**n))
    return out


def xy(points: Sequence[MetricPoint], x_axis: str = "step") -> tuple[list[float], list[float]]:
    """x and y of a history: x is the step, the wall time (epoch seconds) or the seconds
    since the run's first logged point; y has infinities restored."""
    if not points:
        return [], []
    if x_axis == "wall":
        xs = [p.timestamp / 1000 for p in points]
    elif x_axis == "relative":
        t0 = min(p.timestamp for p in points)
        xs = [(p.timestamp - t0) / 1000 for p in points]
    else:
        xs = [float(p.step) for p in points]
    return xs, [clean(p.value) for p in points]  # type: ignore[misc]


@dataclass(frozen=True)
class HistoryArrays:
    """A history as three numpy arrays: compact, and invisible to the garbage collector
    (100,000 MetricPoint objects make every full collection take tens of ms)."""

    steps: np.ndarray  # int64
    timestamps: np.ndarray  # int64, ms since the epoch
    values: np.ndarray  # float64, +/-inf restored

    def __len__(self) -> int:
        return len(self.steps)

    def points(self, run_id: str, key: str) -> list[MetricPoint]:
        return [MetricPoint(run_id, key, float(v), int(s), int(t)) for s, t, v in
                zip(self.steps.tolist(), self.timestamps.tolist(), self.values.tolist(),
                    strict=True)]


def history_arrays(points: Sequence[MetricPoint]) -> HistoryArrays:
    n = len(points)
    steps = np.fromiter((p.step for p in points), dtype=np.int64, count=n)
    stamps = np.fromiter((p.timestamp for p in points), dtype=np.int64, count=n)
    values = np.fromiter((p.value for p in points), dtype=float, count=n)
    values[values >= FLOAT_MAX] = np.inf
    values[values <= -FLOAT_MAX] = -np.inf
    return HistoryArrays(steps, stamps, values)


@dataclass(frozen=True)
class SeriesData:
    """What one curve draws: x, y (smoothed, log-safe) and how many points it dropped."""

    xs: np.ndarray
    ys: np.ndarray  # NaN where a point cannot be drawn: the line breaks there
    raw: np.ndarray  # the logged values, in the same order as xs
    dropped: int  # NaN, inf (and non-positive on a log axis): not drawn


def series(history: Sequence[MetricPoint] | HistoryArrays, x_axis: str = "step",
           smoothing: float = 0.0, log_y: bool = False) -> SeriesData:
    """A history prepared for drawing: x is the step, the wall time (epoch seconds) or the
    seconds since the run's first point; points sorted by x (wall/relative time need not
    follow step order); non-drawable values become NaN."""
    h = history if isinstance(history, HistoryArrays) else history_arrays(history)
    if x_axis == "wall":
        xs = h.timestamps / 1000.0
    elif x_axis == "relative":
        xs = (h.timestamps - (h.timestamps.min() if len(h) else 0)) / 1000.0
    else:
        xs = h.steps.astype(float)
    raw = h.values
    if len(xs) > 1 and x_axis != "step" and bool(np.any(np.diff(xs) < 0)):
        order = np.argsort(xs, kind="stable")
        xs, raw = xs[order], raw[order]
    ys = np.asarray(smooth(raw.tolist(), smoothing), dtype=float) if smoothing > 0 else raw
    bad = ~np.isfinite(ys)
    if log_y:
        with np.errstate(invalid="ignore"):
            bad |= ys <= 0
    dropped = int(bad.sum())
    if dropped:
        ys = np.where(bad, np.nan, ys)
    return SeriesData(xs, ys, raw, dropped)


def time_unit(seconds: float) -> tuple[str, float]:
    """A readable unit for a relative-time axis spanning `seconds`: (name, divisor)."""
    if seconds >= 3 * 86400:
        return "days", 86400.0
    if seconds >= 3 * 3600:
        return "h", 3600.0
    if seconds >= 3 * 60:
        return "min", 60.0
    return "s", 1.0


def history_notes(items: Sequence[Compared], histories: Mapping[tuple[str, str], Sized],
                  key: str, pending: bool = False, online: bool = True) -> list[str]:
    """Why a version has no curve for `key` (one short line per version)."""
    notes = []
    not_loaded = []
    for c in items:
        if c.run is None:
            notes.append(f"{c.label}: no run ({c.no_run_reason})")
            continue
        points = histories.get((c.run.run_id, key))
        if points is None:
            not_loaded.append(c.label)
        elif not points:
            notes.append(f"{c.label}: did not log {key}")
    if not_loaded:
        if pending:
            notes.append("loading " + ", ".join(not_loaded) + "…")
        elif not online:
            notes.append(", ".join(not_loaded) + ": history not in the local cache "
                         "(offline; connect to load it)")
        else:
            notes.append(", ".join(not_loaded) + ": history not loaded")
    return notes


# -- across versions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class AcrossPoint:
    version: int
    x: float  # version number, or registration time in epoch seconds
    value: float
    label: str
    aliases: tuple[str, ...]


def across_versions(items: Sequence[Compared], key: str, x: str = "version"
                    ) -> tuple[list[AcrossPoint], list[str]]:
    """A metric's latest value per version (sorted by x) and notes on versions left out."""
    points, notes = [], []
    lacking = []
    for c in items:
        value = c.metric(key)
        if c.run is None:
            lacking.append(f"v{c.version.version} (no run)")
        elif value is None:
            lacking.append(f"v{c.version.version}")
        elif not is_finite(value):
            notes.append(f"{c.label}: {key} is {value} (not drawn)")
        else:
            xv = (c.version.creation_timestamp / 1000 if x == "registered"
                  else float(c.version.version))
            points.append(AcrossPoint(c.version.version, xv, value, c.label,
                                      c.version.aliases))
    if lacking:
        notes.insert(0, f"no {key}: " + ", ".join(sorted(lacking, key=_version_order)))
    points.sort(key=lambda p: (p.x, p.version))
    return points, notes


def _version_order(text: str) -> int:
    digits = "".join(ch for ch in text.split()[0] if ch.isdigit())
    return int(digits) if digits else 0
