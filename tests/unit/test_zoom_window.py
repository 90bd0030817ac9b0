"""Which steps to fetch at full resolution when the step axis is zoomed, and how they go
back into the sampled history."""

from __future__ import annotations

import math

from modelhub_desktop.core.compare import history_arrays
from modelhub_desktop.core.domain import MetricPoint
from modelhub_desktop.core.zoom_window import (
    ZoomRequest,
    covered,
    merge_windows,
    splice,
    splice_window,
    visible_window,
    zoom_request,
)


def pts(steps: list[int], value: float = 1.0, run: str = "r1") -> list[MetricPoint]:
    return [MetricPoint(run, "loss", value + s, s, 1000 * s) for s in steps]


def test_visible_window_is_the_shown_part_unless_nearly_all_or_none() -> None:
    assert visible_window(1000.2, 1099.7, 0, 3999) == (1000, 1100)  # widened to whole steps
    assert visible_window(-50, 120, 0, 3999) == (0, 120)  # clipped to the history
    assert visible_window(5000, 6000, 0, 3999) is None  # nothing of it visible
    assert visible_window(-10, 3700, 0, 3999) is None  # 92 % of it: sampling fits
    assert visible_window(0, 3500, 0, 3999) == (0, 3500)  # 87 %: worth fetching
    assert visible_window(math.nan, 10, 0, 3999) is None
    assert visible_window(0, math.inf, 0, 3999) is None


def test_covered_and_merged_windows() -> None:
    assert covered([(0, 100), (500, 900)], (600, 700))
    assert not covered([(0, 100), (500, 900)], (90, 510))  # spans a gap
    assert not covered([], (1, 2))
    assert merge_windows([], (5, 9)) == [(5, 9)]
    assert merge_windows([(0, 100), (500, 900)], (90, 510)) == [(0, 900)]
    assert merge_windows([(0, 100)], (101, 200)) == [(0, 200)]  # adjacent steps join
    assert merge_windows([(300, 400)], (0, 100)) == [(0, 100), (300, 400)]
    assert merge_windows([(0, 1000)], (10, 20)) == [(0, 1000)]


def test_zoom_request_asks_once_for_what_is_visible_and_not_fetched() -> None:
    spans = {"a": (0, 3999), "b": (0, 1999), "c": (3000, 9000)}
    got = zoom_request(1000, 1100, spans, {})
    assert got == ZoomRequest(("a", "b"), (1000, 1100))  # c does not reach step 1000
    # a already has those steps at full resolution: only b is asked for
    assert zoom_request(1000, 1100, spans, {"a": [(900, 1200)]}) == \
        ZoomRequest(("b",), (1000, 1100))
    assert zoom_request(1000, 1100, spans, {"a": [(0, 2000)], "b": [(1000, 1100)]}) is None
    # runs of different lengths: one window covering each run's visible steps
    wide = zoom_request(1500, 3200, spans, {})
    assert wide == ZoomRequest(("a", "b", "c"), (1500, 3200))
    assert zoom_request(0, 10_000, spans, {}) is None  # zoomed out: nothing to fetch
    assert zoom_request(0, 100, {}, {}) is None


def test_splice_replaces_the_window_and_keeps_order() -> None:
    sampled = history_arrays(pts([0, 10, 20, 30]))
    window = history_arrays(pts([10, 11, 12], value=100.0))
    merged = splice(sampled, window, 10, 19)
    assert merged.steps.tolist() == [0, 10, 11, 12, 20, 30]
    assert merged.values.tolist()[1:4] == [110.0, 111.0, 112.0]
    assert merged.timestamps.tolist() == [0, 10000, 11000, 12000, 20000, 30000]


def test_splice_window_marks_capped_windows_incomplete_and_skips_unknown_pairs() -> None:
    old = {("r1", "loss"): history_arrays(pts(list(range(0, 100, 10))))}
    detail = {("r1", "loss"): pts(list(range(20, 41))),
              ("r2", "loss"): pts([1, 2], run="r2"),  # not on the chart any more
              }
    out = splice_window(old, detail, (20, 40))
    assert set(out) == {("r1", "loss")}
    s = out[("r1", "loss")]
    assert s.before is old[("r1", "loss")] and s.complete
    assert s.after.steps.tolist() == [0, 10, *range(20, 41), 50, 60, 70, 80, 90]
    capped = splice_window(old, detail, (20, 40), cap=21)
    assert not capped[("r1", "loss")].complete  # as many points as one request returns
    assert splice_window(old, {("r1", "loss"): []}, (20, 40)) == {}
