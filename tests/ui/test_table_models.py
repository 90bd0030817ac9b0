"""Qt models: checked with Qt's model tester attached before they are filled; sorting puts
missing/NaN last and infinities at the ends; one number format per metric column; updates
in place; rows made on a worker carry what the UI thread would otherwise work out."""

from __future__ import annotations

import math
import sys

from PySide6.QtCore import Qt

from modelhub_desktop.core.domain import ModelVersion, RegisteredModel, RunData
from modelhub_desktop.ui.models.model_list_model import ModelListModel
from modelhub_desktop.ui.models.record_table import BACKGROUND, FOREGROUND, TOOLTIP, RecordSortProxy
from modelhub_desktop.ui.models.version_table_model import (
    VersionRow,
    VersionTableModel,
    key_stats_of,
    metric_column,
    param_column,
    prepare_rows,
)

BIG = sys.float_info.max  # how MLflow stores +inf


def _versions() -> tuple[list[ModelVersion], dict[str, RunData]]:
    versions = [ModelVersion("m", i, run_id=f"r{i}", creation_timestamp=1_700_000_000_000 + i)
                for i in range(1, 6)]
    versions.append(ModelVersion("m", 6, run_id=""))  # registered from a path
    metrics = {1: 0.5, 2: math.nan, 3: 0.9, 4: math.inf, 5: 0.1}
    params = {1: "10", 2: "9", 3: "100", 4: "abc", 5: "2.5"}
    runs = {f"r{i}": RunData(f"r{i}", metrics={"acc": metrics[i]}, params={"n": params[i]})
            for i in range(1, 6)}
    return versions, runs


def test_model_list_model(model_tester) -> None:
    model = ModelListModel()
    model_tester(model)
    model.set_records([RegisteredModel("b", latest_version=2, aliases={"champion": 2}),
                       RegisteredModel("a")])
    model.set_records([RegisteredModel("b", latest_version=3, aliases={"champion": 3})])
    assert model.data(model.index(0, 2)) == "champion→v3"


def test_version_table_sorts_metrics_with_missing_last(model_tester) -> None:
    model = VersionTableModel()
    model_tester(model)
    versions, runs = _versions()
    model.set_extra_columns([metric_column("acc"), param_column("n")])
    model.set_versions(versions, runs)
    proxy = RecordSortProxy()
    proxy.setSourceModel(model)
    acc_col = model.columnCount() - 2
    n_col = model.columnCount() - 1

    def column(col: int) -> list[str]:
        return [proxy.index(r, col).data() for r in range(proxy.rowCount())]

    proxy.sort(acc_col, Qt.SortOrder.AscendingOrder)
    assert column(acc_col) == ["0.1", "0.5", "0.9", "\u221e", "NaN", ""]
    proxy.sort(acc_col, Qt.SortOrder.DescendingOrder)
    assert column(acc_col) == ["\u221e", "0.9", "0.5", "0.1", "NaN", ""]
    proxy.sort(n_col, Qt.SortOrder.AscendingOrder)
    assert column(n_col) == ["2.5", "9", "10", "100", "abc", ""]


def test_repeated_sort_is_skipped_until_rows_change() -> None:
    model = VersionTableModel()
    versions, runs = _versions()
    model.set_extra_columns([metric_column("acc")])
    model.set_versions(versions, runs)
    acc_col = model.columnCount() - 1
    layouts: list[int] = []
    model.layoutChanged.connect(lambda *_: layouts.append(1))

    def column() -> list[str]:
        return [model.index(r, acc_col).data() for r in range(model.rowCount())]

    model.sort(acc_col, Qt.SortOrder.AscendingOrder)
    model.sort(acc_col, Qt.SortOrder.AscendingOrder)  # e.g. a header restore: nothing to do
    assert len(layouts) == 1 and column()[:2] == ["0.1", "0.5"]
    faster = dict(runs, r5=RunData("r5", metrics={"acc": 0.95}))
    model.set_versions(versions, faster)  # in place: the new value moves its row
    assert column()[:4] == ["0.50", "0.90", "0.95", "\u221e"]  # one format for the column
    model.sort(acc_col, Qt.SortOrder.DescendingOrder)
    assert column()[:2] == ["\u221e", "0.95"]


def test_in_place_update_keeps_rows_and_emits_data_changed(model_tester) -> None:
    model = VersionTableModel()
    model_tester(model)
    versions, runs = _versions()
    model.set_versions(versions, runs)
    changed = []
    model.dataChanged.connect(lambda a, b: changed.append(a.row()))
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    edited = [v if v.version != 3 else ModelVersion("m", 3, run_id="r3", aliases=("champion",))
              for v in versions]
    model.set_versions(edited, runs)
    assert resets == []
    assert changed == [2]
    assert "@champion" in model.data(model.index(2, 3))


def test_quick_filter_matches_any_visible_cell() -> None:
    model = VersionTableModel()
    versions, runs = _versions()
    model.set_extra_columns([param_column("n")])
    model.set_versions(versions, runs)
    proxy = RecordSortProxy()
    proxy.setSourceModel(model)
    proxy.set_quick_filter("abc")
    assert proxy.rowCount() == 1
    proxy.set_quick_filter("")
    assert proxy.rowCount() == 6


def _metric_rows(values: list[float | None]) -> tuple[list[ModelVersion], dict[str, RunData]]:
    versions = [ModelVersion("m", i + 1, run_id=f"r{i}") for i in range(len(values))]
    runs = {f"r{i}": RunData(f"r{i}", metrics={} if v is None else {"acc": v})
            for i, v in enumerate(values)}
    return versions, runs


def test_infinities_sort_as_values_and_are_never_best(model_tester) -> None:
    model = VersionTableModel()
    model_tester(model)
    model.set_extra_columns([metric_column("acc")])
    model.set_versions(*_metric_rows([0.5, BIG, math.nan, -BIG, None, 0.75]))
    col = model.columnCount() - 1

    def cells() -> list[str]:
        return [model.index(r, col).data() for r in range(model.rowCount())]

    model.sort(col, Qt.SortOrder.AscendingOrder)
    assert cells() == ["\u2212\u221e", "0.50", "0.75", "\u221e", "NaN", ""]
    model.sort(col, Qt.SortOrder.DescendingOrder)
    assert cells() == ["\u221e", "0.75", "0.50", "\u2212\u221e", "NaN", ""]
    # best is the highest finite value, not the stored +inf
    best = [r for r in range(model.rowCount()) if model.data(model.index(r, col), BACKGROUND)]
    assert [cells()[r] for r in best] == ["0.75"]
    assert model.best_value(col) == 0.75
    model.set_direction("acc", "min")
    best = [r for r in range(model.rowCount()) if model.data(model.index(r, col), BACKGROUND)]
    assert [cells()[r] for r in best] == ["0.50"]


def test_a_column_of_only_infinities_has_no_best(model_tester) -> None:
    model = VersionTableModel()
    model_tester(model)
    model.set_extra_columns([metric_column("loss")])
    model.set_versions(*_metric_rows([BIG, -BIG, math.nan]))
    col = model.columnCount() - 1
    assert model.best_value(col) is None
    assert not any(model.data(model.index(r, col), BACKGROUND) for r in range(3))


def test_one_number_format_per_metric_column(model_tester) -> None:
    model = VersionTableModel()
    model_tester(model)
    model.set_extra_columns([metric_column("acc")])
    model.set_versions(*_metric_rows([0.5, 0.912345678, 12.0, 1234.5]))
    col = model.columnCount() - 1
    cells = {model.index(r, col).data() for r in range(model.rowCount())}
    assert cells == {"0.500000", "0.912346", "12.0000", "1234.50"}  # six digits each
    tiny = VersionTableModel()
    model_tester(tiny)
    tiny.set_extra_columns([metric_column("lr")])
    versions, runs = _metric_rows([1e-5, 0.25])
    runs = {k: RunData(k, metrics={"lr": r.metrics["acc"]}) for k, r in runs.items()}
    tiny.set_versions(versions, runs)
    col = tiny.columnCount() - 1
    assert {tiny.index(r, col).data() for r in range(2)} == {"1.0e-05", "2.5e-01"}
    # a page appended later with more digits changes the whole column's format
    page = prepare_rows([ModelVersion("m", 9, run_id="x")],
                        {"x": RunData("x", metrics={"lr": 0.125})}).rows
    tiny.append_records(page)
    assert {tiny.index(r, col).data() for r in range(3)} == {"1.00e-05", "2.50e-01", "1.25e-01"}


def test_deleted_run_rows_are_marked(model_tester) -> None:
    model = VersionTableModel()
    model_tester(model)
    run = RunData("r1", run_name="old-run", lifecycle_stage="deleted", metrics={"acc": 0.5})
    model.set_versions([ModelVersion("m", 1, run_id="r1"), ModelVersion("m", 2, run_id="r2")],
                       {"r1": run, "r2": RunData("r2", run_name="live")})
    run_col = model.column_ids().index("run_name")
    rows = {model.record(r).key: r for r in range(2)}
    assert model.index(rows[1], run_col).data() == "old-run (run deleted)"
    assert "was deleted" in model.data(model.index(rows[1], run_col), TOOLTIP)
    assert model.data(model.index(rows[1], 0), FOREGROUND) is not None
    assert model.index(rows[2], run_col).data() == "live"
    assert model.data(model.index(rows[2], 0), FOREGROUND) is None


def test_prepared_rows_carry_stats_ranges_and_stamps() -> None:
    versions, runs = _versions()
    batch = prepare_rows(versions, runs)
    assert batch.stats == key_stats_of(versions, runs)
    assert (batch.metrics["acc"].low, batch.metrics["acc"].high) == (0.1, 0.9)
    again = prepare_rows(versions, dict(runs))
    assert [r.stamp for r in batch.rows] == [r.stamp for r in again.rows]
    changed = prepare_rows(versions, dict(runs, r3=RunData("r3", metrics={"acc": 0.3})))
    differs = [a.key for a, b in zip(batch.rows, changed.rows, strict=True) if a.stamp != b.stamp]
    assert differs == [3]
    assert all(r.stamp for r in batch.rows)
    assert batch.rows[0] == VersionRow(versions[0], runs["r1"])  # the stamp is not compared


def test_set_rows_in_place_signals_only_changed_rows(model_tester) -> None:
    model = VersionTableModel()
    model_tester(model)
    versions, runs = _versions()
    model.set_rows(prepare_rows(versions, runs), reset=True)
    changed: list[int] = []
    model.dataChanged.connect(lambda a, b: changed.extend(range(a.row(), b.row() + 1)))
    model.set_rows(prepare_rows(versions, dict(runs)))  # new objects, same content
    assert changed == []
    model.set_rows(prepare_rows(versions[1:], dict(runs, r3=RunData("r3", run_name="x"))))
    assert model.rowCount() == 5 and model.row_of(1) == -1
    assert [model.record(r).key for r in changed] == [3]
    assert model.key_stats().versions == 5
