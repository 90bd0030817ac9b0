"""Qt model of a model's versions (the `versionTable` view), joined with their runs.

Fixed fields come first; `set_extra_columns` adds run params/metrics as columns. The
best value of each metric column (max or min, per metric) can be highlighted.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.core.formatting import fmt_metric, fmt_tags, fmt_ts, natural_key
from modelhub_desktop.core.metrics import lower_is_better
from modelhub_desktop.ui.models.record_table import (
    BACKGROUND,
    FONT,
    Column,
    RecordTableModel,
)

ALIASES_ROLE = int(Qt.ItemDataRole.UserRole) + 3
BEST_BRUSH = QBrush(QColor(46, 160, 67, 70))
_BOLD: list[QFont] = []  # built on first use: a QFont needs the QGuiApplication


def bold_font() -> QFont:
    if not _BOLD:
        font = QFont()
        font.setBold(True)
        _BOLD.append(font)
    return _BOLD[0]


@dataclass(frozen=True)
class VersionRow:
    """One table row: the version and (if it still exists) its source run."""

    version: ModelVersion
    run: RunData | None
    deployed_by: str = ""

    @property
    def key(self) -> int:
        return self.version.version


def _stage(r: VersionRow) -> str:
    stage = r.version.current_stage
    return "" if stage in ("", "None") else stage


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def run_hint(r: VersionRow) -> str:
    """Why a row has no params/metrics (empty when it has them)."""
    if not r.version.run_id:
        return "Registered from a path, not from a run: no params or metrics."
    if r.run is None:
        return f"Source run {r.version.run_id} no longer exists (or is not visible to you)."
    return ""


def source_kind(r: VersionRow) -> str:
    src = r.version.source
    if src.startswith("models:/") or r.version.model_id:
        return "logged model"
    if src.startswith("runs:/") or r.version.run_id:
        return "run"
    return "path" if src else ""


FIELD_COLUMNS: list[Column[VersionRow]] = [
    Column("version", "Version", lambda r: f"v{r.version.version}", lambda r: r.version.version,
           align_right=True),
    Column("registered", "Registered at", lambda r: fmt_ts(r.version.creation_timestamp),
           lambda r: r.version.creation_timestamp),
    Column("creator", "Created by", lambda r: r.version.user_id),
    Column("aliases", "Aliases", lambda r: " ".join(f"@{a}" for a in r.version.aliases),
           lambda r: r.version.aliases or None),
    Column("stage", "Stage", _stage, lambda r: _stage(r) or None),
    Column("status", "Status", lambda r: r.version.status,
           tooltip=lambda r: r.version.status_message),
    Column("run_name", "Run", lambda r: r.run.run_name if r.run else "",
           lambda r: r.run.run_name if r.run else None, tooltip=run_hint),
    Column("experiment", "Experiment", lambda r: r.run.experiment_name if r.run else "",
           lambda r: r.run.experiment_name if r.run else None),
    Column("source", "Source", source_kind, tooltip=lambda r: r.version.source),
    Column("deployed_by", "Deployed by", lambda r: r.deployed_by,
           lambda r: r.deployed_by or None),
    Column("description", "Description", lambda r: _first_line(r.version.description),
           tooltip=lambda r: r.version.description),
    Column("tags", "Tags", lambda r: fmt_tags(r.version.tags),
           tooltip=lambda r: fmt_tags(r.version.tags, False)),
]
FIELD_IDS = [c.id for c in FIELD_COLUMNS]
DEFAULT_FIELDS = ["version", "aliases", "registered", "run_name", "status", "creator",
                  "description"]



def metric_column(key: str) -> Column[VersionRow]:
    def value(r: VersionRow) -> float | None:
        return r.run.metrics.get(key) if r.run else None

    return Column(f"metric:{key}", key, lambda r: fmt_metric(value(r)), value,
                  tooltip=run_hint, align_right=True)


def param_column(key: str) -> Column[VersionRow]:
    def value(r: VersionRow) -> str | None:
        return r.run.params.get(key) if r.run else None

    return Column(f"param:{key}", key, lambda r: value(r) or "",
                  lambda r: natural_key(v) if (v := value(r)) is not None else None,
                  tooltip=run_hint)


def column_for(column_id: str) -> Column[VersionRow] | None:
    """Column spec for an id: a field id, 'metric:<key>' or 'param:<key>'."""
    if column_id.startswith("metric:"):
        return metric_column(column_id[7:])
    if column_id.startswith("param:"):
        return param_column(column_id[6:])
    return next((c for c in FIELD_COLUMNS if c.id == column_id), None)


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
    for r in rows:
        n += 1
        if r.run is not None:
            params.update(r.run.params.keys())  # Counter.update runs in C: 2,000 x 300 keys
            metrics.update(r.run.metrics.keys())
    return KeyStats(dict(params), dict(metrics), n)


def key_stats_of(versions: Sequence[ModelVersion], runs: dict[str, RunData]) -> KeyStats:
    """`key_stats` of versions and their runs before they become rows (any thread)."""
    return key_stats(VersionRow(v, runs.get(v.run_id)) for v in versions)


def default_column_ids(stats: KeyStats, uses_stages: bool) -> list[str]:
    """Version, aliases, when, run; then the common metrics; then the longer text fields."""
    head = ["version", "aliases"] + (["stage"] if uses_stages else []) + ["registered",
                                                                          "run_name"]
    metrics = [f"metric:{k}" for k in stats.default_metrics()]
    return head + metrics + ["status", "creator", "description"]


class VersionTableModel(RecordTableModel[VersionRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(FIELD_COLUMNS, key=lambda r: r.key, parent=parent)
        self._best: dict[int, float] = {}  # column -> best value
        self._directions: dict[str, str] = {}  # metric key -> "max" | "min"
        self.highlight_best = True

    # Best values are recomputed once per bulk change, not per emitted signal.
    def set_records(self, records: Sequence[VersionRow], reset: bool = False) -> None:
        self._recompute_best(records)
        super().set_records(records, reset=reset)

    def append_records(self, records: Sequence[VersionRow], resort: bool = True) -> None:
        super().append_records(records, resort=resort)
        self._recompute_best()

    def set_columns(self, columns: Sequence[Column[VersionRow]]) -> None:
        super().set_columns(columns)
        self._recompute_best()

    def set_column_ids(self, ids: Sequence[str]) -> None:
        cols = [c for c in (column_for(i) for i in ids) if c is not None]
        if not cols or cols[0].id != "version":
            cols = [FIELD_COLUMNS[0]] + [c for c in cols if c.id != "version"]
        self.set_columns(cols)

    def column_ids(self) -> list[str]:
        return [c.id for c in self.columns]

    def set_extra_columns(self, columns: Sequence[Column[VersionRow]]) -> None:
        self.set_columns(FIELD_COLUMNS + list(columns))

    def set_versions(self, versions: Sequence[ModelVersion], runs: dict[str, RunData],
                     reset: bool = False, deployed_by: dict[int, str] | None = None) -> None:
        deployed = deployed_by or {}
        rows = [VersionRow(v, runs.get(v.run_id), deployed.get(v.version, ""))
                for v in versions]
        self.set_records(rows, reset=reset)

    # -- best value per metric -----------------------------------------------------------
    def direction(self, metric_key: str) -> str:
        default = "min" if lower_is_better(metric_key) else "max"
        return self._directions.get(metric_key, default)

    def set_direction(self, metric_key: str, direction: str) -> None:
        self._directions[metric_key] = direction
        self._recompute_best()
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, self.columnCount() - 1))

    def directions(self) -> dict[str, str]:
        return dict(self._directions)

    def _recompute_best(self, rows: Sequence[VersionRow] | None = None) -> None:
        records = self.records() if rows is None else rows
        best: dict[int, float] = {}
        for col, spec in enumerate(self._columns):
            if not spec.id.startswith("metric:") or spec.sort_key is None:
                continue
            values = [v for r in records
                      if isinstance(v := spec.sort_key(r), float) and math.isfinite(v)]
            if values:
                use_min = self.direction(spec.id[7:]) == "min"
                best[col] = min(values) if use_min else max(values)
        self._best = best

    def extra_data(self, record: VersionRow, column: Column[VersionRow], col: int,
                   role: int) -> Any:
        if role == ALIASES_ROLE:
            return record.version.aliases
        if role not in (BACKGROUND, FONT) or not self.highlight_best:
            return None
        target = self._best.get(col)
        if target is None or column.sort_key is None or column.sort_key(record) != target:
            return None
        return BEST_BRUSH if role == BACKGROUND else bold_font()
