"""Long histories arrive sampled; zooming in fetches the visible steps at full resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.histories import MAX_POINTS_PER_RUN
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.ui.tasks import TaskRunner
from modelhub_desktop.ui.views.compare_view import CompareView
from tests.builders import client_for, make_model
from tests.servers import MlflowServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_zoom_fetches_full_resolution(qtbot, mlflow_server: MlflowServer,
                                      tmp_path: Path) -> None:
    make_model(client_for(mlflow_server.url), "long history", 2, n_params=1, n_metrics=1,
               history_steps=6000)
    gw = RegistryGateway(Profile("z", mlflow_server.url))
    versions = gw.list_versions("long history")
    runs = gw.get_runs(v.run_id for v in versions)
    from modelhub_desktop.ui.models.version_table_model import VersionRow

    rows = [VersionRow(v, runs[v.run_id]) for v in versions]
    view = CompareView(TaskRunner())
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    view.set_context(gw, MetadataCache(tmp_path / "c.sqlite"), online=True)
    view.compare("long history", rows, rows)
    key = ("m0")
    rid = rows[0].run.run_id  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: len(view.store.histories.get((rid, key), [])) > 0, timeout=30000)
    sampled = view.store.histories[(rid, key)]
    assert len(sampled) <= MAX_POINTS_PER_RUN
    window = [p for p in sampled if 1000 <= p.step <= 1100]
    assert len(window) < 101  # sampled: not every step is there
    view.history_plot.getPlotItem().vb.setXRange(1000, 1100, padding=0)
    qtbot.waitUntil(lambda: len([p for p in view.store.histories[(rid, key)]
                                 if 1000 <= p.step <= 1100]) == 101, timeout=30000)
