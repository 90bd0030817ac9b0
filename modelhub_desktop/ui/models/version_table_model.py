"""Qt model of a model's versions (the `versionTable` view), joined with their runs.

Fixed fields come first; `set_extra_columns` adds run params/metrics as columns. The
best value of each metric column (max or min, per metric) can be highlighted. Rows come
in as a `RowBatch` made on a worker (`set_rows`), so a 20,000-row model costs the UI
thread little more than the signals.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette

from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.core.formatting import (
    NumberFormat,
    fmt_tags,
    fmt_ts,
    metric_value,
    natural_key,
)
from modelhub_desktop.core.metrics import lower_is_better
from modelhub_desktop.ui.models.record_table import (
    BACKGROUND,
    FONT,
    FOREGROUND,
    Column,
    RecordTableModel,
)
from modelhub_desktop.ui.models.version_rows import (
    KeyStats,
    MetricSummary,
    RowBatch,
    VersionRow,
    key_stats,
    key_stats_of,
    prepare_rows,
    summarize_metrics,
)

__all__ = ["ALIASES_ROLE", "DEFAULT_FIELDS", "FIELD_COLUMNS", "KeyStats", "RowBatch",
           "VersionRow", "VersionTableModel", "column_for", "default_column_ids", "key_stats",
           "key_stats_of", "metric_column", "param_column", "prepare_rows"]

ALIASES_ROLE = int(Qt.ItemDataRole.UserRole) + 3
BEST_BRUSH = QBrush(QColor(46, 160, 67, 70))
_BOLD: list[QFont] = []  # built on first use: a QFont needs the QGuiApplication
RUN_DELETED = "run deleted"


def bold_font() -> QFont:
    if not _BOLD:
        font = QFont()
        font.setBold(True)
        _BOLD.append(font)
    return _BOLD[0]


def muted_brush() -> QBrush:
    """Text colour of rows whose run was deleted (the palette's disabled text)."""
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.palette().brush(QPalette.ColorGroup.Disabled,
                                           QPalette.ColorRole.Text)


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
    if r.run_deleted:
        return (f"Source run {r.version.run_id} was deleted in MLflow; its params and metrics "
                "are shown as they were logged.")
    return ""


def _run_name(r: VersionRow) -> str:
    if r.run is None:
        return ""
    return f"{r.run.run_name} ({RUN_DELETED})" if r.run_deleted else r.run.run_name


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
    Column("run_name", "Run", _run_name,
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



def metric_column(key: str, formats: dict[str, NumberFormat] | None = None
                  ) -> Column[VersionRow]:
    """A metric as a column; `formats` (metric key -> format, kept up to date by the model)
    gives every cell of the column the same number format."""
    shared = formats if formats is not None else {}

    def value(r: VersionRow) -> float | None:
        v = r.run.metrics.get(key) if r.run else None
        return None if v is None else metric_value(v)

    def display(r: VersionRow) -> str:
        v = value(r)
        return "" if v is None else shared.get(key, _ALONE)(v)

    return Column(f"metric:{key}", key, display, value, tooltip=run_hint, align_right=True)


_ALONE = NumberFormat()


def param_column(key: str) -> Column[VersionRow]:
    def value(r: VersionRow) -> str | None:
        return r.run.params.get(key) if r.run else None

    return Column(f"param:{key}", key, lambda r: value(r) or "",
                  lambda r: natural_key(v) if (v := value(r)) is not None else None,
                  tooltip=run_hint)


def column_for(column_id: str, formats: dict[str, NumberFormat] | None = None
               ) -> Column[VersionRow] | None:
    """Column spec for an id: a field id, 'metric:<key>' or 'param:<key>'."""
    if column_id.startswith("metric:"):
        return metric_column(column_id[7:], formats)
    if column_id.startswith("param:"):
        return param_column(column_id[6:])
    return next((c for c in FIELD_COLUMNS if c.id == column_id), None)


def default_column_ids(stats: KeyStats, uses_stages: bool) -> list[str]:
    """Version, aliases, when, run; then the common metrics; then the longer text fields."""
    head = ["version", "aliases"] + (["stage"] if uses_stages else []) + ["registered",
                                                                          "run_name"]
    metrics = [f"metric:{k}" for k in stats.default_metrics()]
    return head + metrics + ["status", "creator", "description"]


def _same_row(a: VersionRow, b: VersionRow) -> bool:
    """Stamped rows (made on a worker) compare by stamp: one int instead of two dataclasses."""
    if a.stamp and b.stamp:
        return a.stamp == b.stamp
    return a == b


class VersionTableModel(RecordTableModel[VersionRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(FIELD_COLUMNS, key=attrgetter("version.version"), parent=parent,
                         same=_same_row)
        self._best: dict[int, float] = {}  # column -> best value
        self._directions: dict[str, str] = {}  # metric key -> "max" | "min"
        self._summaries: dict[str, MetricSummary] = {}  # metric key -> range and format
        self._formats: dict[str, NumberFormat] = {}  # shared with the metric columns
        self._stats: KeyStats | None = None  # None: work out from the rows when asked
        self.highlight_best = True

    # -- rows ------------------------------------------------------------------------------
    def set_rows(self, batch: RowBatch, reset: bool = False) -> None:
        """Show a batch made by `prepare_rows` on a worker (UI thread: signals only)."""
        self._use_summaries(batch.metrics)
        super().set_records(batch.rows, reset=reset)
        self._stats = batch.stats

    def set_records(self, records: Sequence[VersionRow], reset: bool = False) -> None:
        self._use_summaries(summarize_metrics(records))
        super().set_records(records, reset=reset)
        self._stats = None

    def append_records(self, records: Sequence[VersionRow], resort: bool = True) -> None:
        if not records:
            return
        summarize_metrics(records, into=self._summaries)  # a page's worth: cheap
        self._formats.update({k: s.number_format() for k, s in self._summaries.items()})
        self._recompute_best()
        super().append_records(records, resort=resort)
        self._stats = None

    def set_versions(self, versions: Sequence[ModelVersion], runs: dict[str, RunData],
                     reset: bool = False, deployed_by: dict[int, str] | None = None) -> None:
        """`set_rows` with the batch made here (small models, tests)."""
        self.set_rows(prepare_rows(versions, runs, deployed_by), reset=reset)

    def key_stats(self) -> KeyStats:
        """Param/metric keys of the rows shown (from the batch when there was one)."""
        if self._stats is None:
            self._stats = key_stats(self._rows)
        return self._stats

    def _use_summaries(self, summaries: dict[str, MetricSummary]) -> None:
        self._summaries = summaries
        self._formats.clear()
        self._formats.update({k: s.number_format() for k, s in summaries.items()})
        self._recompute_best()

    # -- columns ---------------------------------------------------------------------------
    def set_columns(self, columns: Sequence[Column[VersionRow]]) -> None:
        super().set_columns(columns)
        self._recompute_best()

    def set_column_ids(self, ids: Sequence[str]) -> None:
        cols = [c for c in (column_for(i, self._formats) for i in ids) if c is not None]
        if not cols or cols[0].id != "version":
            cols = [FIELD_COLUMNS[0]] + [c for c in cols if c.id != "version"]
        self.set_columns(cols)

    def column_ids(self) -> list[str]:
        return [c.id for c in self.columns]

    def set_extra_columns(self, columns: Sequence[Column[VersionRow]]) -> None:
        self.set_column_ids([c.id for c in FIELD_COLUMNS] + [c.id for c in columns])

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

    def best_value(self, column: int) -> float | None:
        return self._best.get(column)

    def _recompute_best(self) -> None:
        """Per metric column its best finite value, from the summaries: O(columns)."""
        best: dict[int, float] = {}
        for col, spec in enumerate(self._columns):
            if not spec.id.startswith("metric:"):
                continue
            summary = self._summaries.get(spec.id[7:])
            value = summary.best(self.direction(spec.id[7:])) if summary else None
            if value is not None:
                best[col] = value
        self._best = best

    def extra_data(self, record: VersionRow, column: Column[VersionRow], col: int,
                   role: int) -> Any:
        if role == ALIASES_ROLE:
            return record.version.aliases
        if role == FOREGROUND:
            return muted_brush() if record.run_deleted else None
        if role not in (BACKGROUND, FONT) or not self.highlight_best:
            return None
        target = self._best.get(col)
        if target is None or column.sort_key is None or column.sort_key(record) != target:
            return None
        return BEST_BRUSH if role == BACKGROUND else bold_font()
