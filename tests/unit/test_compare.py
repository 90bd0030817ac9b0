"""Compare data prep: best values, baselines, params diff, smoothing, axes, edge cases, CSV."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from modelhub_desktop.core import compare, compare_csv
from modelhub_desktop.core.compare import Compared
from modelhub_desktop.core.domain import MetricPoint, ModelVersion, RunData
from modelhub_desktop.core.histories import sample_evenly

BIG = sys.float_info.max  # how MLflow stores +inf


def item(v: int, metrics: dict[str, float] | None, params: dict[str, str] | None = None,
         aliases: tuple[str, ...] = (), run_id: str | None = None,
         registered: int = 0) -> Compared:
    run = None if metrics is None else RunData(f"r{v}", metrics=metrics, params=params or {})
    rid = run_id if run_id is not None else (f"r{v}" if run else "")
    return Compared(ModelVersion("m", v, run_id=rid, aliases=aliases,
                                 creation_timestamp=registered), run)


def pts(values: list[float], steps: list[int] | None = None, key: str = "loss",
        ts: list[int] | None = None) -> list[MetricPoint]:
    steps = steps or list(range(len(values)))
    ts = ts or [1_000_000 + 1000 * s for s in steps]
    return [MetricPoint("r1", key, v, s, t) for v, s, t in zip(values, steps, ts, strict=True)]


def test_clean_restores_infinities_mlflow_stores_as_float_max() -> None:
    assert compare.clean(BIG) == math.inf and compare.clean(-BIG) == -math.inf
    assert compare.clean(None) is None and compare.clean(0.5) == 0.5
    assert math.isnan(compare.clean(math.nan) or 0.0)
    assert not compare.is_finite(BIG) and not compare.is_finite(None)


def test_labels_and_reasons_for_missing_runs() -> None:
    assert item(3, {}, aliases=("champion", "prod")).label == "v3 @champion @prod"
    assert "path" in item(4, None).no_run_reason
    assert "deleted" in item(5, None, run_id="gone").no_run_reason
    assert item(6, {}).no_run_reason == ""


def test_default_direction_and_history_metric() -> None:
    for key in ("loss", "val_loss", "RMSE", "mae", "mse", "error_rate"):
        assert compare.default_direction(key) == "min", key
    for key in ("accuracy", "f1", "auc", "r2"):
        assert compare.default_direction(key) == "max", key
    assert compare.direction_of("acc", {"acc": "min"}) == "min"
    assert compare.direction_of("acc", {"acc": "bogus"}) == "max"
    keys = ["accuracy", "log_loss", "train_loss", "val_accuracy"]
    assert compare.default_history_metric(keys) == "train_loss"
    assert compare.default_history_metric([]) == ""
    assert compare.default_multiples(keys, 2) == ["train_loss", "val_accuracy"]


def test_best_values_respect_direction_and_skip_nan_inf_missing() -> None:
    items = [item(1, {"acc": 0.8, "val_loss": 0.5}), item(2, {"acc": math.nan, "val_loss": 0.3}),
             item(3, {"acc": 0.9, "val_loss": -BIG}), item(4, None), item(5, {"acc": BIG})]
    assert compare.best_values(items, ["acc", "val_loss"]) == {"acc": 0.9, "val_loss": 0.3}
    assert compare.best_values(items, ["acc"], {"acc": "min"}) == {"acc": 0.8}
    assert compare.best_values(items, ["nobody"]) == {}


def test_final_metrics_with_baseline_diffs_and_verdicts() -> None:
    items = [item(1, {"acc": 0.8, "loss": 0.5}, aliases=("champion",)),
             item(2, {"acc": 0.9, "loss": 0.6}), item(3, None), item(4, {"acc": 0.0})]
    rows = {r.key: r for r in compare.final_metrics(items, baseline=0)}
    acc, loss = rows["acc"], rows["loss"]
    assert acc.values == (0.8, 0.9, None, 0.0) and acc.best == 0.9 and acc.is_best(1)
    assert acc.diffs[0] == 0 and math.isclose(acc.diffs[1] or 0, 0.1) and acc.diffs[2] is None
    assert math.isclose(acc.rel_diffs[1] or 0, 0.125)
    assert acc.better(1) is True and acc.better(0) is None and acc.better(3) is False
    assert loss.direction == "min" and loss.best == 0.5 and loss.better(1) is False
    assert loss.values[3] is None and loss.diffs[3] is None
    no_base = compare.final_metrics(items)
    assert no_base[0].diffs == () and no_base[0].better(1) is None
    diffs = compare.diff_to_baseline(items, items[0], "acc")
    assert diffs[1] == 0 and diffs[3] is None
    assert compare.relative_diff(1.0, 0.0) is None and compare.relative_diff(None, 1.0) is None


def test_param_rows_only_differences() -> None:
    items = [item(1, {}, {"lr": "0.1", "seed": "1", "opt": "adam"}),
             item(2, {}, {"lr": "0.2", "seed": "1"}), item(3, None)]
    rows = compare.param_rows(items)
    assert [(r.key, r.differs) for r in rows] == [("lr", True), ("opt", True), ("seed", False)]
    assert rows[0].values == ("0.1", "0.2", None)
    only = compare.param_rows(items, only_differences=True)
    assert [r.key for r in only] == ["lr", "opt"]  # a param only some runs logged differs
    assert compare.param_table(items, True)[0] == ("lr", ["0.1", "0.2", ""])
    assert compare.param_rows([item(1, None)]) == []


def test_smoothing_passes_nan_inf_and_single_point() -> None:
    assert compare.smooth([1.0], 0.9) == [1.0]
    assert compare.smooth([1.0, 2.0], 0) == [1.0, 2.0]
    out = compare.smooth([1.0, math.nan, 3.0, math.inf, BIG], 0.5)
    assert out[0] == 1.0 and math.isnan(out[1]) and math.isinf(out[3]) and out[4] == BIG
    assert 1.0 < out[2] < 3.0


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60), st.floats(0, 0.99))
def test_smoothing_stays_within_the_data(values: list[float], weight: float) -> None:
    out = compare.smooth(values, weight)
    assert len(out) == len(values)
    lo, hi = min(values), max(values)
    tol = 1e-6 * max(1.0, abs(lo), abs(hi))
    assert all(lo - tol <= y <= hi + tol for y in out)


@given(st.integers(0, 300), st.integers(1, 50))
def test_sampling_keeps_ends_and_order(n: int, k: int) -> None:
    points = pts([float(i) for i in range(n)]) if n else []
    got = sample_evenly(points, k)
    assert len(got) == min(n, k) or (k == 1 and len(got) == min(n, 1))
    assert [p.step for p in got] == sorted({p.step for p in got})
    if n:
        assert got[-1] == points[-1]
        if k > 1:
            assert got[0] == points[0]


def test_series_axes_single_step_gaps_and_log() -> None:
    history = pts([3.0, math.nan, 1.0, BIG, -1.0], steps=[0, 5, 100, 101, 5000],
                  ts=[5000, 1000, 2000, 3000, 4000])
    s = compare.series(history, "step")
    assert s.xs.tolist() == [0.0, 5.0, 100.0, 101.0, 5000.0] and s.dropped == 2  # NaN, inf
    assert math.isnan(s.ys[1]) and math.isinf(s.raw[3]) and math.isnan(s.ys[3])
    log = compare.series(history, "step", log_y=True)
    assert log.dropped == 3  # and the negative value
    rel = compare.series(history, "relative")
    assert rel.xs.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]  # sorted by time, not by step
    assert math.isnan(rel.raw[0]) and rel.raw[-1] == 3.0  # NaN was logged first
    wall = compare.series(history, "wall").xs
    assert wall.min() == 1.0
    assert compare.xy(history, "relative")[0] == [4.0, 0.0, 1.0, 2.0, 3.0]  # point order
    one = compare.series(pts([0.25]), "step", smoothing=0.9)
    assert one.xs.tolist() == [0.0] and one.ys.tolist() == [0.25] and one.dropped == 0
    smoothed = compare.series(pts([1.0, 3.0, math.nan, 5.0]), "step", smoothing=0.5)
    assert 1.0 < smoothed.ys[1] < 3.0 and math.isnan(smoothed.ys[2]) and smoothed.dropped == 1
    assert len(compare.series([], "relative").xs) == 0
    arrays = compare.history_arrays(history)
    assert len(arrays) == 5 and compare.series(arrays).dropped == 2
    assert compare.time_unit(30) == ("s", 1.0) and compare.time_unit(7200)[0] == "min"
    assert compare.time_unit(86400)[0] == "h" and compare.time_unit(10 * 86400)[0] == "days"


def test_history_notes_explain_missing_curves() -> None:
    items = [item(1, {"loss": 1.0}), item(2, {"acc": 1.0}), item(3, None),
             item(4, None, run_id="gone"), item(5, {"loss": 2.0})]
    hist = {("r1", "loss"): pts([1.0]), ("r2", "loss"): []}
    notes = compare.history_notes(items, hist, "loss", online=False)
    text = "\n".join(notes)
    assert "v2: did not log loss" in text and "v3: no run (registered from a path" in text
    assert "v4: no run (its run was deleted" in text
    assert "v5: history not in the local cache" in text
    assert "loading v5" in "\n".join(compare.history_notes(items, hist, "loss", pending=True))


def test_across_versions_all_versions_with_aliases_and_gaps() -> None:
    items = [item(3, {"acc": 0.7}, registered=3000), item(1, {"acc": 0.9}, registered=1000,
                                                          aliases=("champion",)),
             item(2, {"loss": 1.0}, registered=2000), item(4, None), item(5, {"acc": BIG})]
    points, notes = compare.across_versions(items, "acc")
    assert [(p.version, p.x, p.value) for p in points] == [(1, 1.0, 0.9), (3, 3.0, 0.7)]
    assert points[0].aliases == ("champion",) and points[0].label == "v1 @champion"
    assert notes[0] == "no acc: v2, v4 (no run)" and "v5: acc is inf" in notes[1]
    by_time, _ = compare.across_versions(items, "acc", "registered")
    assert [p.x for p in by_time] == [1.0, 3.0]
    assert compare.across_versions([], "acc") == ([], [])


def test_csv_outputs_read_back_with_pandas(tmp_path: Path) -> None:
    import pandas as pd

    items = [item(1, {"acc": 0.8, "loss": 0.1}, aliases=("champion",)),
             item(2, {"acc": BIG}), item(3, None)]
    compare_csv.write_final_metrics_csv(tmp_path / "f.csv", items, ["acc", "loss"], baseline=0)
    df = pd.read_csv(tmp_path / "f.csv")
    assert list(df["version"]) == [1, 2, 3] and df["acc"][0] == 0.8
    assert math.isinf(df["acc"][1]) and math.isnan(df["acc"][2])
    assert df["aliases"][0] == "champion" and df["acc - v1"][0] == 0
    assert math.isnan(df["acc - v1"][1])  # inf minus a number: no difference shown

    history = pts([3.0, math.nan, 1.0, BIG], steps=[0, 1, 7, 8])
    compare_csv.write_histories_csv(tmp_path / "h.csv", {"v1 @champion": history, "v2": []},
                                smoothing=0.5)
    h = pd.read_csv(tmp_path / "h.csv")
    assert len(h) == 4 and h["step"].tolist() == [0, 1, 7, 8]
    assert set(h["series"]) == {"v1 @champion"} and math.isnan(h["value"][1])
    assert math.isinf(h["value"][3]) and h["relative_s"].tolist() == [0.0, 1.0, 7.0, 8.0]
    assert 1.0 < h["smoothed"][2] < 3.0

    compare_csv.write_across_csv(tmp_path / "a.csv", items, "acc")
    a = pd.read_csv(tmp_path / "a.csv")
    assert a["acc"][0] == 0.8 and math.isnan(a["acc"][2])

    compare_csv.write_params_csv(tmp_path / "p.csv",
                             [item(1, {}, {"lr": "0.1"}), item(2, {}, {"lr": "0.2"})])
    p = pd.read_csv(tmp_path / "p.csv")
    assert list(p.columns) == ["param", "v1", "v2"] and p["v2"][0] == 0.2


def test_history_arrays_round_trip() -> None:
    history = pts([3.0, BIG, math.nan, 1.0], steps=[0, 10, 20, 30])
    arrays = compare.history_arrays(history)
    assert math.isinf(arrays.values[1]) and arrays.steps.dtype.kind == "i"
    back = arrays.points("r1", "loss")
    assert [(p.step, p.timestamp) for p in back] == [(p.step, p.timestamp) for p in history]
    assert back[0].value == 3.0 and math.isnan(back[2].value)
    assert len(compare.history_arrays([])) == 0
