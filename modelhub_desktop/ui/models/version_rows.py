"""Version-table rows and everything worked out from them, made on a worker thread.

`prepare_rows` turns a model's versions and runs into the rows of the version table
together with what the table would otherwise compute on the UI thread when 20,000 rows
arrive: which params/metrics exist (the default columns), each metric's finite range (the
best value of a column) and number format, and a content stamp per row (so an in-place
refresh compares one integer per row instead of two dataclasses). Pure Python: no Qt.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields

from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.core.formatting import NumberFormat, NumberStats, metric_value
from modelhub_desktop.core.progress import cooperative


def run_deleted(run: RunData | None) -> bool:
    """The source run exists but was deleted in MLflow (its data is still readable)."""
    return run is not None and run.deleted


@dataclass(frozen=True)
class VersionRow:
    """One table row: the version and (if it still exists) its source run."""

    version: ModelVersion
    run: RunData | None
    deployed_by: str = ""
    #: Hash of the row's content (0: not worked out); equal stamps mean equal rows.
    stamp: int = field(default=0, compare=False, repr=False)

    @property
    def key(self) -> int:
        return self.version.version

    @property
    def run_deleted(self) -> bool:
        return run_deleted(self.run)


@dataclass(frozen=True)
class KeyStats:
    """Param and metric keys across a model's runs, with how many versions have each."""

    params: dict[str, int]
    metrics: dict[str, int]
    versions: int

    def default_metrics(self, limit: int = 6) -> list[str]:
        """The metrics present in most versions."""
        if not self.metrics:
            return []
        ranked = sorted(self.metrics.items(), key=lambda kv: (-kv[1], kv[0]))
        top = ranked[0][1]
        return [k for k, n in ranked if n >= max(1, top // 2)][:limit]


def key_stats(rows: Iterable[VersionRow]) -> KeyStats:
    params: Counter[str] = Counter()
    metrics: Counter[str] = Counter()
    n = 0
    for r in cooperative(rows, every=200):
        n += 1
        if r.run is not None:
            params.update(r.run.params.keys())  # Counter.update runs in C: 2,000 x 300 keys
            metrics.update(r.run.metrics.keys())
    return KeyStats(dict(params), dict(metrics), n)


def key_stats_of(versions: Sequence[ModelVersion], runs: dict[str, RunData]) -> KeyStats:
    """`key_stats` of versions and their runs before they become rows (any thread)."""
    return key_stats(VersionRow(v, runs.get(v.run_id)) for v in versions)


@dataclass
class MetricSummary:
    """One metric across the rows: finite range (for the best value) and number format."""

    low: float = math.inf
    high: float = -math.inf
    numbers: NumberStats = field(default_factory=NumberStats)

    def add(self, value: float) -> None:
        value = metric_value(value)
        if math.isfinite(value):
            self.low = min(self.low, value)
            self.high = max(self.high, value)
            self.numbers.add(value)

    def best(self, direction: str) -> float | None:
        """The best finite value ("min" or "max"); None when there is none."""
        if self.low > self.high:
            return None
        return self.low if direction == "min" else self.high

    def number_format(self) -> NumberFormat:
        return self.numbers.number_format()


def summarize_metrics(rows: Iterable[VersionRow],
                      into: dict[str, MetricSummary] | None = None) -> dict[str, MetricSummary]:
    """Per metric key, its summary over `rows` (merged into `into` when given)."""
    out = {} if into is None else into
    for r in cooperative(rows, every=100):
        if r.run is None:
            continue
        for key, value in r.run.metrics.items():
            summary = out.get(key)
            if summary is None:
                summary = out[key] = MetricSummary()
            summary.add(value)
    return out


@dataclass(frozen=True)
class RowBatch:
    """What the version table shows for one model, ready to hand to the UI thread."""

    rows: list[VersionRow]
    stats: KeyStats
    metrics: dict[str, MetricSummary]
    uses_stages: bool

    def __len__(self) -> int:
        return len(self.rows)


_VERSION_FIELDS = tuple(f.name for f in fields(ModelVersion))
_RUN_FIELDS = tuple(f.name for f in fields(RunData))


def _frozen(value: object) -> object:
    return tuple(value.items()) if isinstance(value, dict) else value


def row_stamp(version: ModelVersion, run: RunData | None, deployed_by: str) -> int:
    """A content hash of a row (dict order counts: a reordered dict only costs a repaint)."""
    parts: list[object] = [deployed_by]
    parts.extend(_frozen(getattr(version, name)) for name in _VERSION_FIELDS)
    if run is not None:
        parts.extend(_frozen(getattr(run, name)) for name in _RUN_FIELDS)
    return hash(tuple(parts)) or 1


def prepare_rows(versions: Sequence[ModelVersion], runs: Mapping[str, RunData],
                 deployed_by: Mapping[int, str] | None = None) -> RowBatch:
    """(worker) The rows of `versions` joined with their runs, and their statistics. The
    loops pause now and then (`cooperative`): without it, 20,000 rows keep the GIL from
    the UI thread in long stretches and the window stutters while a big model refreshes."""
    deployed = deployed_by or {}
    rows = []
    for v in cooperative(versions, every=50):
        run = runs.get(v.run_id) if v.run_id else None
        who = deployed.get(v.version, "")
        rows.append(VersionRow(v, run, who, row_stamp(v, run, who)))
    return RowBatch(
        rows=rows,
        stats=key_stats(rows),
        metrics=summarize_metrics(rows),
        uses_stages=any(v.current_stage not in ("", "None") for v in versions),
    )
