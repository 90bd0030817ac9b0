"""Histories shaped for charts, prepared on the worker thread.

Charts keep histories as numpy arrays (`compare.HistoryArrays`), never as per-point Python
objects: 20 runs x 2,500 points would be 50,000 objects for the garbage collector to walk
on the UI thread. The conversion happens where the points arrive, on the worker.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence, Set

import numpy as np

from modelhub_desktop.core import compare
from modelhub_desktop.core.compare import Compared
from modelhub_desktop.core.domain import MetricPoint
from modelhub_desktop.core.histories import MAX_POINTS_PER_RUN
from modelhub_desktop.core.progress import TaskContext, yield_to_ui


class ArraysContext(TaskContext):
    """Wraps a task's context: partial results travel with their arrays, built on the
    worker thread, so the UI thread only draws."""

    def __init__(self, ctx: TaskContext) -> None:
        super().__init__()
        self._ctx = ctx

    def cancel(self) -> None:
        self._ctx.cancel()

    @property
    def cancelled(self) -> bool:
        return self._ctx.cancelled

    def check(self) -> None:
        self._ctx.check()

    def progress(self, done: int, total: int, message: str = "") -> None:
        self._ctx.progress(done, total, message)

    def partial(self, payload: object) -> None:
        """A chunk of histories (pair -> points) goes on as pair -> arrays."""
        if not isinstance(payload, dict):
            self._ctx.partial(payload)
            return
        arrays = {}
        for pair, points in payload.items():
            arrays[pair] = compare.history_arrays(points)
            yield_to_ui()
        self._ctx.partial(arrays)


class PointsView(Mapping[tuple[str, str], list[MetricPoint]]):
    """Loaded arrays seen as MetricPoint lists, built on access (for export and tests)."""

    def __init__(self, data: dict[tuple[str, str], compare.HistoryArrays]) -> None:
        self._data = data

    def __getitem__(self, pair: tuple[str, str]) -> list[MetricPoint]:
        return self._data[pair].points(*pair)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def history_chart_notes(selected: Sequence[Compared],
                        data: Mapping[tuple[str, str], compare.HistoryArrays],
                        keys: Sequence[str], pending: Set[tuple[str, str]],
                        sampled: Set[tuple[str, str]], online: bool, has_source: bool,
                        log_y: bool) -> list[str]:
    """What the history chart of `keys` cannot show as drawn, in words: versions without a
    run or the metric, points left out (NaN/inf, or non-positive on a log scale), lone
    steps drawn as dots, and sampled long histories."""
    runs = [c.run.run_id for c in selected if c.run]
    notes: list[str] = []
    for key in keys:
        waiting = any((r, key) in pending for r in runs)
        prefix = f"{key} — " if len(keys) > 1 else ""
        notes += [prefix + n for n in compare.history_notes(
            selected, data, key, pending=waiting, online=has_source)]
        single = []
        for c in selected:
            arrays = data.get((c.run.run_id, key)) if c.run else None
            if arrays is None or not len(arrays):
                continue
            bad = ~np.isfinite(arrays.values)
            if log_y:
                with np.errstate(invalid="ignore"):
                    bad |= arrays.values <= 0
            dropped = int(bad.sum())
            if dropped:
                what = "NaN/inf/non-positive" if log_y else "NaN/inf"
                notes.append(f"{prefix}{c.label}: {dropped} {what} "
                             f"point{'s' if dropped != 1 else ''} not drawn")
            if len(arrays) == 1:
                single.append(f"{c.label} (step {int(arrays.steps[0])})")
        if single:
            notes.append(f"{prefix}a single step, drawn as a dot: {', '.join(single)}")
    if any(p[1] in keys for p in sampled if p[0] in runs):
        notes.append(f"Long histories show {MAX_POINTS_PER_RUN:,} sampled points per run"
                     + ("; zoom in on the step axis to load full resolution."
                        if online else " (offline: full resolution needs the server)."))
    return notes


def history_series(selected: Sequence[Compared],
                   data: Mapping[tuple[str, str], compare.HistoryArrays], key: str,
                   x_mode: str, smoothing: float, log_y: bool
                   ) -> tuple[list[tuple[int, Compared, compare.SeriesData]], str, float]:
    """The curves of `key` for the versions whose history is loaded and not empty (with
    each version's position in `selected`: its colour), the x-axis title and the divisor
    of x (relative time in a readable unit)."""
    out = []
    for i, c in enumerate(selected):
        arrays = data.get((c.run.run_id, key)) if c.run else None
        if arrays is not None and len(arrays):
            out.append((i, c, compare.series(arrays, x_mode, smoothing, log_y)))
    title, scale = compare.X_AXES.get(x_mode, "Step"), 1.0
    if x_mode == "relative":
        span = max((float(s.xs.max()) for _, _, s in out if len(s.xs)), default=0.0)
        unit, scale = compare.time_unit(span)
        title = f"Relative time ({unit})"
    return out, title, scale


def no_metrics_note(selected: Sequence[Compared]) -> str:
    """Why there is no metric to chart at all (every version lacks a run or metrics)."""
    return "No metrics to chart: " + "; ".join(
        f"{c.label}: {c.no_run_reason or 'logged no metrics'}" for c in selected)
