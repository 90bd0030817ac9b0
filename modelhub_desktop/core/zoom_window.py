"""Full resolution where the user zooms: which steps to fetch, and how they go back in.

Long histories arrive sampled (`histories.MAX_POINTS_PER_RUN` points per run). When the
step axis is zoomed in on part of a sampled history, the visible steps are fetched at
full resolution and spliced into the sampled arrays; windows already fetched are
remembered so that panning back does not fetch them again. Pure arithmetic, no Qt.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from modelhub_desktop.core.compare import HistoryArrays, history_arrays
from modelhub_desktop.core.histories import MAX_POINTS_PER_RUN, Histories

#: A closed range of steps, first to last.
Window = tuple[int, int]
#: (run_id, metric key)
Pair = tuple[str, str]

#: A visible window this large a share of the whole history is not worth fetching:
#: the sampled points already show what fits on the screen.
NEARLY_ALL = 0.9


@dataclass(frozen=True)
class ZoomRequest:
    """Runs whose sampled history to fetch at full resolution over `window`."""

    runs: tuple[str, ...]
    window: Window


@dataclass(frozen=True)
class Spliced:
    """A sampled history with a window at full resolution in it."""

    before: HistoryArrays  # the arrays the window was spliced into
    after: HistoryArrays
    complete: bool  # the fetch returned every point of the window (not capped)


def visible_window(lo: float, hi: float, first: int, last: int) -> Window | None:
    """The steps of a history spanning `first`..`last` that the x range `lo`..`hi` shows;
    None when none is visible, or (nearly) all of it is."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    a, b = max(math.floor(lo), first), min(math.ceil(hi), last)
    if a > b or (b - a) >= NEARLY_ALL * (last - first):
        return None
    return a, b


def covered(windows: Sequence[Window], window: Window) -> bool:
    """Whether one of `windows` holds all of `window`."""
    a, b = window
    return any(x <= a and b <= y for x, y in windows)


def merge_windows(windows: Sequence[Window], new: Window) -> list[Window]:
    """`windows` with `new` added: overlapping or adjacent windows become one, sorted."""
    out: list[Window] = []
    for a, b in sorted([*windows, new]):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def zoom_request(lo: float, hi: float, spans: Mapping[str, Window],
                 fetched: Mapping[str, Sequence[Window]]) -> ZoomRequest | None:
    """What to fetch when the step axis shows `lo`..`hi`.

    `spans`: run -> (first, last step) of each sampled history on the chart; `fetched`:
    run -> windows already at full resolution. One request covers every run whose
    visible part is not fetched yet (their union of visible steps); None when there is
    nothing to fetch."""
    runs: list[str] = []
    windows: list[Window] = []
    for run, (first, last) in spans.items():
        window = visible_window(lo, hi, first, last)
        if window is None or covered(fetched.get(run, ()), window):
            continue
        runs.append(run)
        windows.append(window)
    if not runs:
        return None
    return ZoomRequest(tuple(runs), (min(a for a, _ in windows), max(b for _, b in windows)))


def splice(sampled: HistoryArrays, window: HistoryArrays, first: int, last: int
           ) -> HistoryArrays:
    """`sampled` with its points from step `first` to `last` replaced by `window`."""
    keep = (sampled.steps < first) | (sampled.steps > last)
    steps = np.concatenate([sampled.steps[keep], window.steps])
    order = np.argsort(steps, kind="stable")
    return HistoryArrays(steps[order],
                         np.concatenate([sampled.timestamps[keep], window.timestamps])[order],
                         np.concatenate([sampled.values[keep], window.values])[order])


def splice_window(old: Mapping[Pair, HistoryArrays], detail: Histories, window: Window,
                  cap: int = MAX_POINTS_PER_RUN) -> dict[Pair, Spliced]:
    """(on the worker) Each sampled history of `old` with `window` replaced by the points
    fetched for it (`detail`). A window that came back with `cap` points or more may have
    been cut short, so it does not count as complete."""
    out = {}
    for pair, points in detail.items():
        before = old.get(pair)
        if before is None or not points:
            continue
        merged = splice(before, history_arrays(points), *window)
        out[pair] = Spliced(before, merged, len(points) < cap)
    return out
