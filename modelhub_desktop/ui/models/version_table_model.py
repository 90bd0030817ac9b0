"""Qt model of a model's versions (the `versionTable` view), joined with their runs.

Fixed columns come first; `set_extra_columns` adds run params/metrics as columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.core.formatting import fmt_metric, fmt_tags, fmt_ts, natural_key
from modelhub_desktop.ui.models.record_table import Column, RecordTableModel


@dataclass(frozen=True)
class VersionRow:
    """One table row: the version and (if it still exists) its source run."""

    version: ModelVersion
    run: RunData | None

    @property
    def key(self) -> int:
        return self.version.version


def _aliases_or_stage(r: VersionRow) -> str:
    parts = [f"@{a}" for a in r.version.aliases]
    if r.version.current_stage and r.version.current_stage != "None":
        parts.append(r.version.current_stage)
    return " ".join(parts)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _run_hint(r: VersionRow) -> str:
    if not r.version.run_id:
        return "Registered from a path, not from a run: no params or metrics."
    if r.run is None:
        return f"Source run {r.version.run_id} no longer exists."
    return ""


BASE_COLUMNS: list[Column[VersionRow]] = [
    Column(
        "version",
        "Version",
        lambda r: f"v{r.version.version}",
        lambda r: r.version.version,
        align_right=True,
    ),
    Column(
        "registered",
        "Registered at",
        lambda r: fmt_ts(r.version.creation_timestamp),
        lambda r: r.version.creation_timestamp,
    ),
    Column("creator", "Created by", lambda r: r.version.user_id),
    Column("aliases", "Aliases / stage", _aliases_or_stage),
    Column("status", "Status", lambda r: r.version.status),
    Column("run_name", "Run", lambda r: r.run.run_name if r.run else "", tooltip=_run_hint),
    Column(
        "description",
        "Description",
        lambda r: _first_line(r.version.description),
        tooltip=lambda r: r.version.description,
    ),
    Column(
        "tags",
        "Tags",
        lambda r: fmt_tags(r.version.tags),
        tooltip=lambda r: fmt_tags(r.version.tags, False),
    ),
]


def metric_column(key: str) -> Column[VersionRow]:
    def value(r: VersionRow) -> float | None:
        return r.run.metrics.get(key) if r.run else None

    return Column(
        f"metric:{key}",
        key,
        lambda r: fmt_metric(value(r)),
        value,
        tooltip=_run_hint,
        align_right=True,
    )


def param_column(key: str) -> Column[VersionRow]:
    def value(r: VersionRow) -> str | None:
        return r.run.params.get(key) if r.run else None

    return Column(
        f"param:{key}",
        key,
        lambda r: value(r) or "",
        lambda r: natural_key(v) if (v := value(r)) is not None else None,
        tooltip=_run_hint,
    )


class VersionTableModel(RecordTableModel[VersionRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(BASE_COLUMNS, key=lambda r: r.key, parent=parent)
        self._extra: list[Column[VersionRow]] = []

    def set_extra_columns(self, columns: Sequence[Column[VersionRow]]) -> None:
        self._extra = list(columns)
        self.set_columns(BASE_COLUMNS + self._extra)

    def set_versions(
        self, versions: Sequence[ModelVersion], runs: dict[str, RunData], reset: bool = False
    ) -> None:
        rows = [VersionRow(v, runs.get(v.run_id)) for v in versions]
        self.set_records(rows, reset=reset)
