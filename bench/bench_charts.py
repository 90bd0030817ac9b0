"""Metric histories for the compare charts: bulk endpoint vs one request per run.

Builds, on a real local `mlflow server`, 20 runs with one metric of N steps each, then
measures in one run: fetching all histories the app's way (bulk-interval endpoint, one
request per 100 runs, sampled to 2,500 points per run) vs the naive way (get_metric_history
per run), time to first chart, and the UI-stall probe (largest gap between 10 ms timer
ticks) while the histories load and the chart is drawn.

    .venv/bin/python -m bench.bench_charts [--runs 20] [--steps 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import StallProbe, start_server, wait_until


def build(url: str, runs: int, steps: int) -> list[str]:
    from concurrent.futures import ThreadPoolExecutor

    from mlflow.entities import Metric

    from tests.builders import client_for

    client = client_for(url)
    exp = client.create_experiment("charts-bench")
    now = int(time.time() * 1000)

    def one(i: int) -> str:
        rid = client.create_run(exp, run_name=f"r{i}").info.run_id
        points = [Metric("loss", 1.0 / (1 + s) + 0.01 * i, now + s, s) for s in range(steps)]
        for start in range(0, steps, 1000):
            client.log_batch(rid, metrics=points[start : start + 1000])
        return rid

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(runs)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--steps", type=int, default=20000)
    args = ap.parse_args()
    from modelhub_desktop.core.domain import Profile
    from modelhub_desktop.core.histories import fetch_histories
    from modelhub_desktop.core.registry import RegistryGateway
    from tests.builders import client_for
    from tests.proxy import CountingProxy

    server = start_server("charts")
    try:
        t = time.perf_counter()
        run_ids = build(server.url, args.runs, args.steps)
        print(f"built {args.runs} runs x {args.steps} steps in {time.perf_counter() - t:.0f} s")
        proxy = CountingProxy(server.port).start()
        gw = RegistryGateway(Profile("bench", proxy.url))
        gw.connect()
        proxy.reset_counts()
        t = time.perf_counter()
        hist = fetch_histories(gw, run_ids, ["loss"])
        app_s, app_req = time.perf_counter() - t, proxy.total()
        points = sum(len(v) for v in hist.values())
        client = client_for(proxy.url)
        proxy.reset_counts()
        t = time.perf_counter()
        naive = {rid: client.get_metric_history(rid, "loss") for rid in run_ids}
        naive_s, naive_req = time.perf_counter() - t, proxy.total()
        print(f"app (bulk, sampled): {app_req:4d} requests {app_s * 1000:8.0f} ms "
              f"({points} points drawn)")
        print(f"naive (per run)    : {naive_req:4d} requests {naive_s * 1000:8.0f} ms "
              f"({sum(len(v) for v in naive.values())} points)")
        print(f"ratio              : {naive_req / app_req:.1f}x fewer requests, "
              f"{naive_s / app_s:.1f}x less time")
        first, stall = ui_probe(proxy.url, run_ids)
        print(f"time to first chart: {first * 1000:.0f} ms; UI stall while loading and "
              f"drawing: {stall:.0f} ms")
        proxy.stop()
    finally:
        server.stop()


def ui_probe(url: str, run_ids: list[str]) -> tuple[float, float]:
    from PySide6.QtWidgets import QApplication

    from modelhub_desktop.core.cache import MetadataCache
    from modelhub_desktop.core.domain import ModelVersion, Profile, RunData
    from modelhub_desktop.core.registry import RegistryGateway
    from modelhub_desktop.ui.models.version_table_model import VersionRow
    from modelhub_desktop.ui.tasks import TaskRunner
    from modelhub_desktop.ui.views.compare_view import CompareView

    app = QApplication.instance() or QApplication([])
    runner = TaskRunner()
    view = CompareView(runner)
    view.resize(1200, 700)
    view.show()
    gw = RegistryGateway(Profile("ui", url))
    runner.submit(lambda ctx: gw.connect())
    runner.wait_idle()
    app.processEvents()
    view.set_context(gw, MetadataCache(Path(tempfile.mkdtemp()) / "c.sqlite"), online=True)
    rows = [VersionRow(ModelVersion("m", i + 1, run_id=r), RunData(r, metrics={"loss": 0.0}))
            for i, r in enumerate(run_ids)]
    probe = StallProbe()
    probe.start()
    t = time.perf_counter()
    view.compare("m", rows, rows)
    wait_until(lambda: len(view.history_hover.series) == len(rows))
    app.processEvents()
    first = time.perf_counter() - t
    gap = probe.stop()
    runner.shutdown()
    return first, gap


if __name__ == "__main__":
    main()
