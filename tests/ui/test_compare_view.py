"""CompareView draws one curve per version from cached histories, exports, and never raises
on edge cases."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import MetricPoint, ModelVersion, Profile, RunData
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.ui.models.version_table_model import VersionRow
from modelhub_desktop.ui.tasks import TaskRunner
from modelhub_desktop.ui.views.compare_view import CompareView


def rows() -> list[VersionRow]:
    out = []
    for v in range(1, 5):
        run = RunData(f"r{v}", metrics={"train_loss": 1.0 / v, "acc": 0.5 + v / 10},
                      params={"lr": str(v / 10), "seed": "1"})
        out.append(VersionRow(ModelVersion("m", v, run_id=f"r{v}",
                                           aliases=("champion",) if v == 2 else ()), run))
    out.append(VersionRow(ModelVersion("m", 5, run_id=""), None))  # registered from a path
    return out


@pytest.fixture
def view(qtbot, tmp_path: Path) -> CompareView:
    cache = MetadataCache(tmp_path / "c.sqlite")
    hist = {}
    for v in range(1, 5):
        values = [1.0 / (s + v) for s in range(50)]
        if v == 3:
            values[10] = math.nan
            values[11] = math.inf
        if v == 4:
            values = values[:1]  # a single step
        hist[(f"r{v}", "train_loss")] = [MetricPoint(f"r{v}", "train_loss", y, s, 1000 * s)
                                         for s, y in enumerate(values)]
    cache.store_metric_histories(hist)
    w = CompareView(TaskRunner())
    qtbot.addWidget(w)
    w.resize(1000, 600)
    w.show()
    w.set_context(RegistryGateway(Profile("x", "http://127.0.0.1:9")), cache, online=False)
    return w


def test_curves_per_version_and_edge_cases(view: CompareView, qtbot) -> None:
    all_rows = rows()
    view.compare("m", all_rows, all_rows)
    assert view.objectName() == "compareView"
    assert view.metric_combo.currentText() == "train_loss"
    qtbot.waitUntil(lambda: len(view.history_hover.series) == 4, timeout=5000)
    legend = view.history_plot.getPlotItem().legend
    labels = [label.text for _, label in legend.items]
    assert labels == ["v1", "v2 @champion", "v3", "v4"]
    assert "v5: no run" in view.history_note.text()
    assert "v3: 2 NaN/inf" in view.history_note.text()
    view.log_y.setChecked(True)
    view.smoothing.setValue(60)
    view.x_axis.setCurrentIndex(2)
    assert len(view.history_hover.series) == 4
    assert view.final_table.rowCount() == 2  # acc, train_loss
    view.only_diff.setChecked(True)
    assert view.params_table.rowCount() == 1  # lr differs, seed does not


def test_exports_open_in_other_tools(view: CompareView, qtbot, tmp_path: Path) -> None:
    import pandas as pd
    from PySide6.QtGui import QImage

    view.compare("m", rows()[:3], rows())
    qtbot.waitUntil(lambda: len(view.history_hover.series) == 3, timeout=5000)
    png = view.export_png(tmp_path / "c.png")
    assert not QImage(str(png)).isNull()
    svg = view.export_svg(tmp_path / "c.svg")
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    data = pd.read_csv(view.export_csv(tmp_path / "c.csv"))
    assert set(data["series"]) == {"v1", "v2 @champion", "v3"}
    view.tabs.setCurrentIndex(2)
    table = pd.read_csv(view.export_csv(tmp_path / "f.csv"))
    assert list(table["version"]) == [1, 2, 3]


def test_small_multiples_and_grouped_bars(view: CompareView, qtbot) -> None:
    all_rows = rows()
    view.compare("m", all_rows, all_rows)
    view.multiples.setChecked(True)
    qtbot.waitUntil(lambda: len(view.grid.ci.items) == 2, timeout=5000)  # acc, train_loss
    assert view.history_plot.isHidden() and view.grid.isVisible()
    bars = [i for i in view.bars_plot.getPlotItem().items
            if type(i).__name__ == "BarGraphItem"]
    assert len(bars) == 4  # one bar series per version that has a run
