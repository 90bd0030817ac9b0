"""Loading a model's version table: the app's batched loader vs the naive way.

Builds, on a real local `mlflow server`, one model with N versions (20 params and 10
metrics per run), then measures in the same run:
  (a) the app's loader (search_model_versions pages + search_runs IN (...) chunks),
  (b) the naive way: search_model_versions, then get_run per version,
counting HTTP requests through a proxy on loopback, and a UI-stall probe: the largest
gap between ticks of a 10 ms QTimer while the app loads that model into the table,
with metric columns shown and sorted by a metric.

    .venv/bin/python bench/bench_versions.py [--versions 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import StallProbe, start_server, wait_until


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--versions", type=int, default=1000)
    args = ap.parse_args()

    from modelhub_desktop.core.cache import MetadataCache
    from modelhub_desktop.core.domain import Profile
    from modelhub_desktop.core.registry import RegistryGateway
    from modelhub_desktop.core.sync import refresh_versions
    from tests.builders import client_for, make_model
    from tests.helpers import CountingProxy

    server = start_server("versions")
    try:
        t = time.perf_counter()
        make_model(client_for(server.url), "bench-model", args.versions, n_params=20,
                   n_metrics=10, workers=6)
        print(f"built {args.versions} versions in {time.perf_counter() - t:.1f} s")
        proxy = CountingProxy(server.port).start()

        # (a) the app's loader
        gw = RegistryGateway(Profile("bench", proxy.url))
        gw.connect()
        cache = MetadataCache(Path(tempfile.mkdtemp()) / "cache.sqlite")
        proxy.reset_counts()
        t = time.perf_counter()
        snap = refresh_versions(gw, cache, "bench-model")
        app_s = time.perf_counter() - t
        app_req = proxy.total()
        assert len(snap.versions) == args.versions and len(snap.runs) == args.versions

        # (b) the naive way
        client = client_for(proxy.url)
        proxy.reset_counts()
        t = time.perf_counter()
        versions = []
        token = None
        while True:
            page = client.search_model_versions("name = 'bench-model'", max_results=1000,
                                                page_token=token)
            versions.extend(page)
            token = page.token
            if not token:
                break
        runs = {v.run_id: client.get_run(v.run_id) for v in versions}
        naive_s = time.perf_counter() - t
        naive_req = proxy.total()
        assert len(runs) == args.versions

        print(f"app loader : {app_req:5d} requests  {app_s * 1000:8.0f} ms")
        print(f"naive      : {naive_req:5d} requests  {naive_s * 1000:8.0f} ms")
        print(f"ratio      : {naive_req / app_req:5.1f}x fewer requests, "
              f"{naive_s / app_s:5.1f}x less time")

        stall = ui_stall(proxy.url)
        print(f"UI stall   : largest gap between 10 ms timer ticks while loading "
              f"{args.versions} versions into the table: {stall:.0f} ms")
        proxy.stop()
    finally:
        server.stop()


def ui_stall(url: str) -> float:
    """Load the model into a real VersionTableView through the TaskRunner, sorted by m0."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from modelhub_desktop.core.cache import MetadataCache
    from modelhub_desktop.core.domain import Profile
    from modelhub_desktop.core.registry import RegistryGateway
    from modelhub_desktop.core.sync import refresh_versions
    from modelhub_desktop.ui.tasks import TaskRunner
    from modelhub_desktop.ui.views.version_table_view import VersionTableView

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp())
    view = VersionTableView()
    view.resize(1200, 700)
    view.show()
    settings = QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)
    view.set_scope(settings, "bench", "bench-model")
    gw = RegistryGateway(Profile("bench-ui", url))
    runner = TaskRunner()
    runner.submit(lambda ctx: gw.connect())
    runner.wait_idle()
    app.processEvents()
    cache = MetadataCache(tmp / "cache.sqlite")
    done: list[object] = []
    probe = StallProbe()
    probe.start()

    def on_page(page) -> None:  # type: ignore[no-untyped-def]
        from modelhub_desktop.ui.models.version_table_model import VersionRow

        view.model.append_records([VersionRow(v, page.runs.get(v.run_id)) for v in page.versions])

    runner.submit(lambda ctx: refresh_versions(gw, cache, "bench-model", ctx, ctx.partial),
                  on_partial=on_page, on_result=done.append)
    wait_until(lambda: bool(done))
    snap = done[0]
    view.set_versions(snap.versions, snap.runs)  # type: ignore[attr-defined]
    app.processEvents()
    # then, as separate user actions: choose columns, sort by a metric
    view.set_column_ids(["version", "registered", "aliases"] +
                        [f"metric:m{i}" for i in range(10)] + ["param:p0", "param:p1"])
    app.processEvents()
    view.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    app.processEvents()
    gap = probe.stop()
    runner.shutdown()
    return gap


if __name__ == "__main__":
    main()
