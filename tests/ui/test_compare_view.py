"""CompareView draws one curve per version from cached histories, explains what it cannot
draw, exports files other tools open, and never raises on edge cases."""

from __future__ import annotations

import math
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import MetricPoint, ModelVersion, Profile, RunData
from modelhub_desktop.core.histories import MAX_POINTS_PER_RUN
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.ui.charts import palette
from modelhub_desktop.ui.models.version_table_model import VersionRow
from modelhub_desktop.ui.tasks import TaskRunner
from modelhub_desktop.ui.views.compare_view import CompareView

BIG = sys.float_info.max


def rows() -> list[VersionRow]:
    out = []
    for v in range(1, 5):
        metrics = {"train_loss": 1.0 / v, "acc": 0.5 + v / 10}
        if v == 3:
            metrics["rare"] = 1.0  # a metric only one version logged
        run = RunData(f"r{v}", metrics=metrics, params={"lr": str(v / 10), "seed": "1"})
        out.append(VersionRow(ModelVersion("m", v, run_id=f"r{v}", creation_timestamp=v * 86400000,
                                           aliases=("champion",) if v == 2 else ()), run))
    out.append(VersionRow(ModelVersion("m", 5, run_id=""), None))  # registered from a path
    out.append(VersionRow(ModelVersion("m", 6, run_id="deleted"), None))  # run is gone
    return out


def cached_histories() -> dict:
    hist = {}
    for v in range(1, 5):
        values = [1.0 / (s + v) for s in range(50)]
        if v == 3:
            values[10] = math.nan
            values[11] = BIG  # +inf as MLflow stores it
        steps = list(range(50))
        if v == 2:
            steps = [s * 10 for s in range(50)]  # gaps between steps
        if v == 4:
            values, steps = values[:1], steps[:1]  # a single step
        hist[(f"r{v}", "train_loss")] = [MetricPoint(f"r{v}", "train_loss", y, s, 1000 * s)
                                         for s, y in zip(steps, values, strict=True)]
        hist[(f"r{v}", "acc")] = [MetricPoint(f"r{v}", "acc", 0.5 + v / 10, 0, 0)]
    hist[("r3", "rare")] = [MetricPoint("r3", "rare", 1.0, 0, 0)]
    for v in (1, 2, 4):
        hist[(f"r{v}", "rare")] = []
    return hist


@pytest.fixture
def runner(qtbot):
    r = TaskRunner()
    yield r
    r.shutdown()


@pytest.fixture
def view(qtbot, runner: TaskRunner, tmp_path: Path) -> CompareView:
    cache = MetadataCache(tmp_path / "c.sqlite")
    cache.store_metric_histories(cached_histories())
    w = CompareView(runner)
    qtbot.addWidget(w)
    w.resize(1100, 650)
    w.show()
    w.set_context(RegistryGateway(Profile("x", "http://127.0.0.1:9")), cache, online=False)
    return w


def curves(plot: pg.PlotWidget) -> list[pg.PlotDataItem]:
    return [i for i in plot.getPlotItem().listDataItems() if isinstance(i, pg.PlotDataItem)]


def test_curves_legend_notes_and_controls(view: CompareView, qtbot) -> None:
    all_rows = rows()
    view.compare("m", all_rows, all_rows)
    assert view.objectName() == "compareView"
    assert view.stack.currentIndex() == 1
    assert view.current_metric() == "train_loss"
    qtbot.waitUntil(lambda: len(view.history_hover.series) == 4, timeout=5000)
    assert len(curves(view.history_plot)) == 4
    legend = view.history_plot.getPlotItem().legend
    assert [label.text for _, label in legend.items] == ["v1", "v2 @champion", "v3", "v4"]
    note = view.history.note.text()
    assert "v5: no run (registered from a path" in note
    assert "v6: no run (its run was deleted" in note
    assert "v3: 2 NaN/inf points not drawn" in note
    assert "a single step, drawn as a dot: v4 (step 0)" in note
    single = curves(view.history_plot)[3]
    assert single.opts["symbol"] == "o"  # a lone point is visible
    # colours: Okabe-Ito, stable per version
    assert curves(view.history_plot)[0].opts["pen"].color().name() == palette.LIGHT[0].lower()

    view.history.log_y.setChecked(True)
    view.history.smoothing.setValue(60)
    assert "non-positive" in view.history.note.text()
    for index in range(view.history.x_axis.count()):
        view.history.x_axis.setCurrentIndex(index)
        assert len(view.history_hover.series) == 4
        dates = isinstance(view.history_plot.getPlotItem().getAxis("bottom"), pg.DateAxisItem)
        assert dates == (view.history.x_axis.currentData() == "wall")
    view.history.x_axis.setCurrentIndex(0)

    view.set_metric("rare")
    qtbot.waitUntil(lambda: len(view.history_hover.series) == 1, timeout=5000)
    assert "v1: did not log rare" in view.history.note.text()


def test_hover_reports_version_step_and_value(view: CompareView, qtbot) -> None:
    view.compare("m", rows()[:2], rows())
    qtbot.waitUntil(lambda: len(view.history_hover.series) == 2, timeout=5000)
    item = view.history_plot.getPlotItem()
    item.setXRange(0, 490, padding=0)
    item.setYRange(0, 0.6, padding=0)
    scene_pos = item.vb.mapViewToScene(QPointF(100, 1.0 / 12))  # v2 logged step 100 = 1/12
    text = view.history_hover.text_at(scene_pos)
    assert text is not None and text.startswith("v2 @champion\nstep 100\nvalue 0.0833")
    assert view.history_hover.text_at(QPointF(-50, -50)) is None


def test_across_versions_marks_alias_holders_and_explains_gaps(view: CompareView) -> None:
    view.compare("m", rows()[:2], rows())
    view.set_metric("acc")
    item = view.across_plot.getPlotItem()
    assert not item.listDataItems()  # hidden tabs are drawn when they show
    view.tabs.setCurrentIndex(1)
    main = [c for c in item.listDataItems() if c.name() == "latest acc"][0]
    assert list(main.getData()[0]) == [1.0, 2.0, 3.0, 4.0]  # all versions, not only chosen
    labels = [i.toPlainText() for i in item.items if isinstance(i, pg.TextItem)]
    assert labels == ["@champion"]
    assert "no acc: v5 (no run), v6 (no run)" in view.across.note.text()
    view.across.x_axis.setCurrentIndex(1)
    assert isinstance(item.getAxis("bottom"), pg.DateAxisItem)
    main = [c for c in item.listDataItems() if c.name() == "latest acc"][0]
    assert list(main.getData()[0]) == [86400.0, 172800.0, 259200.0, 345600.0]


def test_final_metrics_best_baseline_direction_and_params(view: CompareView, qtbot,
                                                          qtmodeltester) -> None:
    view.compare("m", rows(), rows())
    model = view.final.model
    qtmodeltester.check(model)
    assert [model.headerData(r, pg.QtCore.Qt.Orientation.Vertical) for r in
            range(model.rowCount())] == ["acc  ↑", "rare  ↑", "train_loss  ↓"]
    assert view.final.baseline.currentText() == "v2 @champion"  # the champion is the baseline
    acc = [model.cell(0, c) for c in range(model.columnCount())]
    assert acc[3].bold and acc[3].text == "0.9"  # v4 has the best accuracy
    assert acc[4].text == "—" and "path" in acc[4].tooltip
    diff_v1 = acc[6]  # first difference column: v1 - v2
    assert diff_v1.text.startswith("-0.1") and diff_v1.foreground is not None
    view.final.set_direction("acc", "min")
    assert model.cell(0, 0).bold and not model.cell(0, 3).bold
    assert model.headerData(0, pg.QtCore.Qt.Orientation.Vertical) == "acc  ↓"
    view.tabs.setCurrentIndex(2)
    bars = [i for i in view.final.bars_plot.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    assert len(bars) == 4  # one bar series per version that has a run

    qtmodeltester.check(view.params.model)
    assert view.params.model.rowCount() == 1  # lr differs, seed does not
    assert "1 identical param hidden" in view.params.note.text()
    view.params.only_diff.setChecked(False)
    assert view.params.model.rowCount() == 2
    assert "Tinted: differs from the baseline v2 @champion" in view.params.note.text()


def test_small_multiples(view: CompareView, qtbot) -> None:
    view.compare("m", rows(), rows())
    view.history.multiples.setChecked(True)
    assert view.history.stack.currentIndex() == 1 and view.history.multiples_button.isEnabled()
    # train_loss, acc, rare
    qtbot.waitUntil(lambda: len(view.history.grid.ci.items) == 3, timeout=5000)
    view.history.set_multiple_metrics(["acc", "train_loss"])
    qtbot.waitUntil(lambda: len(view.history.grid.ci.items) == 2, timeout=5000)
    titles = sorted(p.titleLabel.text for p in view.history.grid.ci.items)
    assert titles == ["acc", "train_loss"]
    qtbot.waitUntil(lambda: all(len(t.series) == 4 for t in view.history.grid_hover.targets),
                    timeout=5000)


def test_exports_open_in_other_tools(view: CompareView, qtbot, tmp_path: Path) -> None:
    import pandas as pd
    from PySide6.QtSvg import QSvgRenderer

    view.compare("m", rows()[:3], rows())
    qtbot.waitUntil(lambda: len(view.history_hover.series) == 3, timeout=5000)
    saved: list[str] = []
    view.statusMessage.connect(saved.append)
    for tab in range(3):
        view.tabs.setCurrentIndex(tab)
        png = view.exporter.export_png(tmp_path / f"c{tab}.png")
        assert png is not None and not QImage(str(png)).isNull()
        assert QImage(str(png)).width() == 1600
        svg = view.exporter.export_svg(tmp_path / f"c{tab}.svg")
        assert svg is not None
        root = ET.parse(svg).getroot()
        assert root.tag.endswith("svg") and root.get("width", "").isdigit()
        assert QSvgRenderer(str(svg)).isValid()
    assert any("Saved" in m for m in saved)
    # curves are plain polylines in pixel coordinates (no data-space transforms left)
    view.tabs.setCurrentIndex(0)
    text = view.exporter.export_svg(tmp_path / "h.svg").read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert "<polyline" in text and "matrix(" not in text.split("<polyline", 1)[0][-400:]

    view.tabs.setCurrentIndex(0)
    data = pd.read_csv(view.exporter.export_csv(tmp_path / "c.csv"))
    assert set(data["series"]) == {"v1", "v2 @champion", "v3"}
    assert len(data) == 150 and math.isinf(data["value"].max())
    view.tabs.setCurrentIndex(1)
    across = pd.read_csv(view.exporter.export_csv(tmp_path / "a.csv"))
    assert list(across["version"]) == [1, 2, 3, 4, 5, 6]
    view.tabs.setCurrentIndex(2)
    table = pd.read_csv(view.exporter.export_csv(tmp_path / "f.csv"))
    assert list(table["version"]) == [1, 2, 3] and "train_loss - v2" in table.columns
    view.tabs.setCurrentIndex(3)
    assert not view.export_buttons["PNG"].isEnabled()
    assert view.exporter.export_png(tmp_path / "none.png") is None
    params = pd.read_csv(view.exporter.export_csv(tmp_path / "p.csv"))
    assert list(params["param"]) == ["lr"]


def test_empty_and_degenerate_inputs_never_raise(view: CompareView, qtbot,
                                                 tmp_path: Path) -> None:
    view.compare("m", [], [])
    assert view.stack.currentIndex() == 0 and not view.export_buttons["CSV"].isEnabled()
    no_runs = [VersionRow(ModelVersion("m", 1), None), VersionRow(ModelVersion("m", 2), None)]
    view.compare("m", no_runs, no_runs)
    assert view.current_metric() == ""
    assert "No metrics to chart" in view.history.note.text()
    assert "None of these versions logged metrics." in view.final.note.text()
    for tab in range(4):
        view.tabs.setCurrentIndex(tab)
        view.exporter.export_csv(tmp_path / f"e{tab}.csv")
        if tab < 3:
            assert view.exporter.export_png(tmp_path / f"e{tab}.png") is not None
    # offline and not cached: explained
    uncached = [VersionRow(ModelVersion("m", 9, run_id="r9"),
                           RunData("r9", metrics={"loss": 1.0}))]
    view.tabs.setCurrentIndex(0)
    view.compare("m", uncached, uncached)
    qtbot.waitUntil(lambda: "not in the local cache" in view.history.note.text(), timeout=5000)
    # no context at all (main window not connected yet)
    bare_runner = TaskRunner()
    bare = CompareView(bare_runner)
    qtbot.addWidget(bare)
    bare.compare("m", rows(), rows())
    assert "history not loaded" in bare.history.note.text()
    bare_runner.shutdown()


def test_follows_a_dark_palette(view: CompareView, qtbot) -> None:
    view.compare("m", rows()[:2], rows())
    qtbot.waitUntil(lambda: len(view.history_hover.series) == 2, timeout=5000)
    app = QApplication.instance()
    old = app.palette()
    dark = QPalette(old)
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e6e6e6"))
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: view.theme.dark, timeout=3000)
        assert view.history_plot.backgroundBrush().color().name() == "#1e1e1e"
        first = curves(view.history_plot)[0]
        assert first.opts["pen"].color().name() == palette.DARK[0].lower()
    finally:
        app.setPalette(old)
    qtbot.waitUntil(lambda: not view.theme.dark, timeout=3000)


@pytest.fixture(scope="module")
def long_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    from mlflow import MlflowClient
    from mlflow.entities import Metric

    root = tmp_path_factory.mktemp("zoom-store")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    exp = client.create_experiment("z", artifact_location=(root / "a").as_uri())
    now = int(time.time() * 1000)
    ids = []
    for i in range(2):
        rid = client.create_run(exp).info.run_id
        pts = [Metric("loss", (i + 1) / (1 + s), now + s, s) for s in range(4000)]
        for start in range(0, len(pts), 1000):
            client.log_batch(rid, metrics=pts[start : start + 1000])
        ids.append(rid)
    return uri, ids


def test_loads_through_runner_and_zoom_fetches_full_resolution(
        qtbot, runner: TaskRunner, tmp_path: Path, long_store: tuple[str, list[str]]) -> None:
    uri, ids = long_store
    gw = RegistryGateway(Profile("local", uri, source="local"))
    cache = MetadataCache(tmp_path / "c.sqlite")
    rows_ = [VersionRow(ModelVersion("z", i + 1, run_id=rid),
                        RunData(rid, metrics={"loss": 0.1})) for i, rid in enumerate(ids)]
    view = CompareView(runner)
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    view.set_context(gw, cache, online=True)
    view.compare("z", rows_, rows_)
    qtbot.waitUntil(lambda: len(view.history_hover.series) == 2, timeout=30000)
    key = (ids[0], "loss")
    assert len(view.store.histories[key]) == MAX_POINTS_PER_RUN  # sampled
    assert cache.metric_history(*key) is not None  # stored for offline use
    assert "zoom in" in view.history.note.text()
    view.history_plot.getPlotItem().vb.setXRange(1000, 1100, padding=0)
    qtbot.waitUntil(lambda: len([p for p in view.store.histories[key] if 1000 <= p.step <= 1100])
                    == 101, timeout=30000)
    lo, hi = view.history_plot.getPlotItem().vb.viewRange()[0]
    assert 995 <= lo <= 1005 and 1095 <= hi <= 1105  # the view stayed where the user was


def test_chart_options_are_remembered(view: CompareView, runner: TaskRunner, qtbot,
                                      tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    view.restore_options(settings)  # nothing saved yet: the defaults
    assert view.history.x_axis.currentData() == "step" and not view.history.log_y.isChecked()
    assert view.params.only_diff.isChecked() and view.tabs.currentIndex() == 0
    view.history.x_axis.setCurrentIndex(view.history.x_axis.findData("relative"))
    view.history.log_y.setChecked(True)
    view.history.smoothing.setValue(40)
    view.params.only_diff.setChecked(False)
    view.across.x_axis.setCurrentIndex(1)
    view.tabs.setCurrentIndex(2)
    view.save_options(settings)
    settings.sync()

    again = CompareView(runner)
    qtbot.addWidget(again)
    again.restore_options(QSettings(str(tmp_path / "settings.ini"),
                                    QSettings.Format.IniFormat))
    assert again.history.x_axis.currentData() == "relative" and again.history.log_y.isChecked()
    assert again.history.smoothing.value() == 40 and not again.params.only_diff.isChecked()
    assert again.across.x_axis.currentData() == "registered" and again.tabs.currentIndex() == 2

    (tmp_path / "odd.ini").write_text("[compare]\nsmoothing=lots\nxAxis=sideways\ntab=99\n")
    odd = CompareView(runner)
    qtbot.addWidget(odd)
    odd.restore_options(QSettings(str(tmp_path / "odd.ini"), QSettings.Format.IniFormat))
    assert odd.history.smoothing.value() == 0 and odd.history.x_axis.currentData() == "step"
    assert odd.tabs.currentIndex() == odd.tabs.count() - 1


def many_rows(n: int, holders: dict[int, tuple[str, ...]]) -> list[VersionRow]:
    out = []
    for v in range(1, n + 1):
        params = {f"p{i}": "same" for i in range(12)} | {"lr": str(v / 100)}
        run = RunData(f"r{v}", metrics={"train_loss": 1.0 / v}, params=params)
        out.append(VersionRow(ModelVersion("m", v, run_id=f"r{v}",
                                           aliases=holders.get(v, ())), run))
    return out


def test_one_selected_compares_alias_holders_and_latest_and_says_how_to_pick(
        view: CompareView, qtbot) -> None:
    all_rows = many_rows(30, {2: ("champion",), 17: ("challenger",)})
    view.compare("m", [all_rows[4]], all_rows)  # v5 selected
    assert [c.version.version for c in view.selected] == [2, 5, 17, 24, 25, 26, 27, 28, 29, 30]
    assert view.choice_note.isVisible()
    assert view.choice_note.text() == (
        "Showing the alias holders and the latest versions; select versions in the table "
        "and press Ctrl+M to compare others")
    assert "(10 of 30 versions)" in view.title.text()
    assert view.params.model.columnCount() == 10
    assert view.final.model.columnCount() == 10 + 9  # values, then differences to v2
    # none selected: the same kind of choice, not every version
    view.compare("m", [], all_rows)
    assert len(view.selected) == 10 and view.choice_note.isVisible()
    # two selected: exactly those, no note
    view.compare("m", [all_rows[0], all_rows[9]], all_rows)
    assert [c.version.version for c in view.selected] == [1, 10]
    assert not view.choice_note.isVisible() and "of 30" not in view.title.text()
    assert view.params.model.columnCount() == 2


def test_params_tab_says_how_many_identical_params_it_hid(view: CompareView) -> None:
    all_rows = many_rows(3, {})
    view.compare("m", all_rows, all_rows)
    assert view.params.model.rowCount() == 1  # lr
    assert "12 identical params hidden" in view.params.note.text()
    view.params.only_diff.setChecked(False)
    assert view.params.model.rowCount() == 13
    assert "hidden" not in view.params.note.text()
    same = [VersionRow(r.version, RunData(r.run.run_id, params={"seed": "1"}))  # type: ignore[union-attr]
            for r in all_rows]
    view.params.only_diff.setChecked(True)
    view.compare("m", same, same)
    assert view.params.model.rowCount() == 0
    assert "All params are the same: 1 identical param hidden" in view.params.note.text()


def test_metric_selector_shows_only_where_it_drives_the_chart(view: CompareView) -> None:
    view.compare("m", rows(), rows())
    shown = {}
    for tab in range(view.tabs.count()):
        view.tabs.setCurrentIndex(tab)
        shown[view.tabs.tabText(tab)] = view.metric_combo.isVisible()
    assert shown == {"Metric history": True, "Across versions": True,
                     "Final metrics": False, "Params": False}
    view.tabs.setCurrentIndex(0)
    view.history.multiples.setChecked(True)  # the Metrics… menu drives the small charts
    assert not view.metric_combo.isVisible()
    view.history.multiples.setChecked(False)
    assert view.metric_combo.isVisible()


def test_offline_without_cached_histories_clears_the_chart_and_says_so(
        view: CompareView, qtbot, tmp_path: Path) -> None:
    messages: list[str] = []
    view.statusMessage.connect(messages.append)
    view.compare("m", rows()[:4], rows())
    qtbot.waitUntil(lambda: len(curves(view.history_plot)) == 4, timeout=5000)
    # another profile's cache, offline, without these histories
    empty = MetadataCache(tmp_path / "other.sqlite")
    messages.clear()
    view.set_context(RegistryGateway(Profile("y", "http://127.0.0.1:9")), empty, online=False)
    assert curves(view.history_plot) == []  # nothing left from the other source
    view.compare("m", rows()[:4], rows())
    qtbot.waitUntil(lambda: any("not in the local cache" in m for m in messages), timeout=5000)
    assert curves(view.history_plot) == [] and view.history_hover.series == []
    note_lines = view.history.note.text().splitlines()
    status = [m for m in messages if "not in the local cache" in m][-1]
    assert status.removeprefix("Metric histories: ") in note_lines
    assert "v1, v2 @champion, v3, v4: history not in the local cache" in status
    assert not any(m.startswith("Metric histories ready") for m in messages)


def test_a_closed_view_drops_its_late_results(qtbot, runner: TaskRunner,
                                                tmp_path: Path) -> None:
    import shiboken6

    class SlowCache(MetadataCache):
        """A cache on a slow disk (fault injection): the load outlives the view."""

        def metric_history(self, run_id: str, key: str) -> list[MetricPoint] | None:
            time.sleep(0.05)
            return super().metric_history(run_id, key)

    cache = SlowCache(tmp_path / "c.sqlite")
    cache.store_metric_histories(cached_histories())
    w = CompareView(runner)
    w.set_context(RegistryGateway(Profile("x", "http://127.0.0.1:9")), cache, online=False)
    w.compare("m", rows(), rows())
    assert any(d.startswith("load histories") for d in runner.active())
    shiboken6.delete(w)  # closed while its histories load
    qtbot.waitUntil(lambda: not runner.active(), timeout=5000)  # delivered to nobody
