"""Compare data prep: best values, baselines, params diff, smoothing, edge cases, CSV."""

from __future__ import annotations

import math
from pathlib import Path

from modelhub_desktop.core import compare
from modelhub_desktop.core.compare import Compared
from modelhub_desktop.core.domain import MetricPoint, ModelVersion, RunData


def item(v: int, metrics: dict[str, float] | None, params: dict[str, str] | None = None,
         aliases: tuple[str, ...] = ()) -> Compared:
    run = None if metrics is None else RunData(f"r{v}", metrics=metrics, params=params or {})
    return Compared(ModelVersion("m", v, run_id=f"r{v}" if run else "", aliases=aliases), run)


def test_best_values_respect_direction_and_skip_nan() -> None:
    items = [item(1, {"acc": 0.8, "val_loss": 0.5}), item(2, {"acc": math.nan, "val_loss": 0.3}),
             item(3, {"acc": 0.9}), item(4, None)]
    best = compare.best_values(items, ["acc", "val_loss"])
    assert best == {"acc": 0.9, "val_loss": 0.3}
    assert compare.best_values(items, ["acc"], {"acc": "min"}) == {"acc": 0.8}


def test_diff_to_baseline_and_labels() -> None:
    items = [item(1, {"acc": 0.8}, aliases=("champion",)), item(2, {"acc": 0.9}), item(3, None)]
    diffs = compare.diff_to_baseline(items, items[0], "acc")
    assert diffs[1] == 0 and math.isclose(diffs[2] or 0, 0.1) and diffs[3] is None
    assert items[0].label == "v1 @champion"


def test_param_table_only_differences() -> None:
    items = [item(1, {}, {"lr": "0.1", "seed": "1"}), item(2, {}, {"lr": "0.2", "seed": "1"}),
             item(3, None)]
    assert compare.param_table(items, only_differences=True) == [("lr", ["0.1", "0.2", ""])]
    assert [k for k, _ in compare.param_table(items)] == ["lr", "seed"]


def test_smoothing_passes_nan_and_handles_single_point() -> None:
    assert compare.smooth([1.0], 0.9) == [1.0]
    out = compare.smooth([1.0, math.nan, 3.0, math.inf], 0.5)
    assert out[0] == 1.0 and math.isnan(out[1]) and math.isinf(out[3])
    assert 1.0 < out[2] < 3.0


def test_default_history_metric_prefers_training_loss() -> None:
    keys = ["accuracy", "log_loss", "train_loss", "val_accuracy"]
    assert compare.default_history_metric(keys) == "train_loss"
    assert compare.default_history_metric([]) == ""


def test_csv_outputs_read_back_with_pandas(tmp_path: Path) -> None:
    import pandas as pd

    items = [item(1, {"acc": 0.8}), item(2, {"acc": math.inf}), item(3, None)]
    compare.write_final_metrics_csv(tmp_path / "f.csv", items, ["acc"])
    df = pd.read_csv(tmp_path / "f.csv")
    assert list(df["version"]) == [1, 2, 3] and df["acc"][0] == 0.8
    pts = [MetricPoint("r1", "loss", v, s, 1000 + s) for s, v in enumerate([3.0, math.nan, 1.0])]
    compare.write_histories_csv(tmp_path / "h.csv", {"v1": pts})
    h = pd.read_csv(tmp_path / "h.csv")
    assert len(h) == 3 and h["step"].tolist() == [0, 1, 2] and math.isnan(h["value"][1])
    xs, ys = compare.xy(pts, "relative")
    assert xs == [0.0, 0.001, 0.002]
