"""Histories shaped for charts, prepared on the worker thread.

Charts keep histories as numpy arrays (`compare.HistoryArrays`), never as per-point Python
objects: 20 runs x 2,500 points would be 50,000 objects for the garbage collector to walk
on the UI thread. The conversion happens where the points arrive, on the worker.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from modelhub_desktop.core import compare
from modelhub_desktop.core.domain import MetricPoint
from modelhub_desktop.core.histories import MAX_POINTS_PER_RUN, Histories
from modelhub_desktop.core.progress import yield_to_ui


class ArraysContext:
    """Wraps a task's context: partial results travel with their arrays, built on the
    worker thread, so the UI thread only draws."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx

    @property
    def cancelled(self) -> bool:
        return bool(self._ctx.cancelled)

    def check(self) -> None:
        self._ctx.check()

    def progress(self, done: int, total: int, message: str = "") -> None:
        self._ctx.progress(done, total, message)

    def partial(self, chunk: Histories) -> None:
        arrays = {}
        for pair, points in chunk.items():
            arrays[pair] = compare.history_arrays(points)
            yield_to_ui()
        self._ctx.partial(arrays)


def splice_window(old: dict[tuple[str, str], compare.HistoryArrays], detail: Histories,
            window: tuple[int, int]) -> dict[tuple[str, str], Any]:
    """(on the worker) Each sampled history with `window` replaced by the full-resolution
    points: pair -> (old arrays, new arrays, whether the window is complete)."""
    out = {}
    for pair, points in detail.items():
        before = old.get(pair)
        if before is None or not points:
            continue
        merged = compare.splice(before, compare.history_arrays(points), *window)
        out[pair] = (before, merged, len(points) < MAX_POINTS_PER_RUN)
    return out


class PointsView(Mapping[tuple[str, str], list[MetricPoint]]):
    def __init__(self, data: dict[tuple[str, str], compare.HistoryArrays]) -> None:
        self._data = data

    def __getitem__(self, pair: tuple[str, str]) -> list[MetricPoint]:
        return self._data[pair].points(*pair)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)
