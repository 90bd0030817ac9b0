"""Qt models: checked with qtmodeltester; sorting puts missing/NaN last; updates in place."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt

from modelhub_desktop.core.domain import ModelVersion, RegisteredModel, RunData
from modelhub_desktop.ui.models.model_list_model import ModelListModel
from modelhub_desktop.ui.models.record_table import RecordSortProxy
from modelhub_desktop.ui.models.version_table_model import (
    VersionTableModel,
    metric_column,
    param_column,
)


def _versions() -> tuple[list[ModelVersion], dict[str, RunData]]:
    versions = [ModelVersion("m", i, run_id=f"r{i}", creation_timestamp=1_700_000_000_000 + i)
                for i in range(1, 6)]
    versions.append(ModelVersion("m", 6, run_id=""))  # registered from a path
    metrics = {1: 0.5, 2: math.nan, 3: 0.9, 4: math.inf, 5: 0.1}
    params = {1: "10", 2: "9", 3: "100", 4: "abc", 5: "2.5"}
    runs = {f"r{i}": RunData(f"r{i}", metrics={"acc": metrics[i]}, params={"n": params[i]})
            for i in range(1, 6)}
    return versions, runs


def test_model_list_model(qtmodeltester) -> None:
    model = ModelListModel()
    model.set_records([RegisteredModel("b", latest_version=2, aliases={"champion": 2}),
                       RegisteredModel("a")])
    qtmodeltester.check(model)
    assert model.data(model.index(0, 2)) == "@champion: v2"


def test_version_table_sorts_metrics_with_missing_last(qtmodeltester) -> None:
    model = VersionTableModel()
    versions, runs = _versions()
    model.set_extra_columns([metric_column("acc"), param_column("n")])
    model.set_versions(versions, runs)
    qtmodeltester.check(model)
    proxy = RecordSortProxy()
    proxy.setSourceModel(model)
    acc_col = model.columnCount() - 2
    n_col = model.columnCount() - 1

    def column(col: int) -> list[str]:
        return [proxy.index(r, col).data() for r in range(proxy.rowCount())]

    proxy.sort(acc_col, Qt.SortOrder.AscendingOrder)
    assert column(acc_col) == ["0.1", "0.5", "0.9", "inf", "NaN", ""]
    proxy.sort(acc_col, Qt.SortOrder.DescendingOrder)
    assert column(acc_col) == ["inf", "0.9", "0.5", "0.1", "NaN", ""]
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
    assert column()[:4] == ["0.5", "0.9", "0.95", "inf"]
    model.sort(acc_col, Qt.SortOrder.DescendingOrder)
    assert column()[:2] == ["inf", "0.95"]


def test_in_place_update_keeps_rows_and_emits_data_changed(qtbot) -> None:
    model = VersionTableModel()
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
