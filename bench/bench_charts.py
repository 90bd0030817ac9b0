"""Metric histories for the compare charts: the app's bulk loader vs one request per run.

Builds, on a real local `mlflow server` (tests.servers.MlflowServer, one worker), RUNS
runs with a STEPS-long history of one metric each, then measures in one run:

1. histories the app's way (`load_histories`: bulk-interval endpoint, up to 100 runs per
   request, 2,500 sampled points per run, stored in the cache) vs the naive way
   (`MlflowClient.get_metric_history` per run x metric), through a request-counting proxy;
2. time to first chart and the UI-stall probe (largest gap between ticks of a 10 ms
   QTimer on the UI thread) while `CompareView` loads and draws those histories;
3. zooming in: the full-resolution fetch of a 1,000-step window, and pan/zoom redraws.

Building: MLflow's `log_batch` takes at most 1,000 metrics per call and the one-worker
server stores about 3,000 metrics/s, so 20 x 100,000 points would take ~11 minutes.
By default the first 1,000 points of each run go through `log_batch` and the rest are
bulk-inserted into the server's sqlite file in the same row format (`--build log_batch`
logs everything through the REST API instead).

    .venv/bin/python -m bench.bench_charts [--runs 20] [--steps 100000] [--build sql|log_batch]
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import StallProbe, start_server, wait_until

KEY = "loss"
REST_PART = 1000  # points per run logged through log_batch in "sql" mode


def value(run: int, step: int) -> float:
    return 1.0 / (1 + step / 100) + 0.02 * run + 0.01 * math.sin(step / 50)


def build(server: Any, runs: int, steps: int, mode: str) -> list[str]:
    from mlflow.entities import Metric

    from tests.builders import client_for

    client = client_for(server.url)
    exp = client.create_experiment("charts-bench")
    t0 = int(time.time() * 1000) - steps * 1000
    rest_steps = steps if mode == "log_batch" else min(steps, REST_PART)

    def one(i: int) -> str:
        rid = client.create_run(exp, run_name=f"r{i}").info.run_id
        for start in range(0, rest_steps, 1000):
            batch = [Metric(KEY, value(i, s), t0 + s * 1000, s)
                     for s in range(start, min(start + 1000, rest_steps))]
            client.log_batch(rid, metrics=batch)
        return rid

    with ThreadPoolExecutor(4) as pool:
        run_ids = list(pool.map(one, range(runs)))
    if rest_steps < steps:
        with sqlite3.connect(server.root / "mlflow.db", timeout=60) as db:
            for i, rid in enumerate(run_ids):
                db.executemany(
                    "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                    "VALUES (?, ?, ?, ?, ?, 0)",
                    ((KEY, value(i, s), t0 + s * 1000, rid, s) for s in range(rest_steps, steps)))
                last = steps - 1
                db.execute("UPDATE latest_metrics SET value=?, timestamp=?, step=? "
                           "WHERE run_uuid=? AND key=?",
                           (value(i, last), t0 + last * 1000, last, rid, KEY))
    return run_ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--build", choices=["sql", "log_batch"], default="sql")
    ap.add_argument("--naive-budget", type=float, default=45.0,
                    help="seconds of naive fetching before the rest is extrapolated")
    args = ap.parse_args()
    started = time.perf_counter()
    # mlflow the way the app imports it (its objects frozen out of the GC's reach), before
    # the builders import it: otherwise every full collection here takes ~150 ms
    from modelhub_desktop.core.mlflow_import import import_mlflow

    import_mlflow()
    from modelhub_desktop.core.cache import MetadataCache
    from modelhub_desktop.core.domain import Profile
    from modelhub_desktop.core.histories import load_histories
    from modelhub_desktop.core.registry import RegistryGateway
    from tests.builders import client_for
    from tests.helpers import CountingProxy

    server = start_server("charts")
    proxy = None
    try:
        t = time.perf_counter()
        run_ids = build(server, args.runs, args.steps, args.build)
        how = ("log_batch" if args.build == "log_batch" else
               f"log_batch for the first {min(args.steps, REST_PART):,} steps, sqlite insert "
               "for the rest")
        print(f"built {args.runs} runs x {args.steps:,} steps ({how}) in "
              f"{time.perf_counter() - t:.0f} s")
        proxy = CountingProxy(server.port).start()

        gw = RegistryGateway(Profile("bench", proxy.url))
        gw.connect()
        cache = MetadataCache(Path(tempfile.mkdtemp()) / "cache.sqlite")
        proxy.reset_counts()
        t = time.perf_counter()
        hist = load_histories(gw, cache, run_ids, [KEY], online=True)
        app_s, app_req = time.perf_counter() - t, proxy.total()
        app_points = sum(len(v) for v in hist.values())
        del hist  # 50,000 MetricPoint objects would lengthen every later full GC

        client = client_for(proxy.url)
        proxy.reset_counts()
        t = time.perf_counter()
        naive_points, done = 0, 0
        for rid in run_ids:  # one call per run x metric (MlflowClient pages 25,000 points)
            naive_points += len(client.get_metric_history(rid, KEY))
            done += 1
            if time.perf_counter() - t > args.naive_budget:
                break
        naive_s, naive_req = time.perf_counter() - t, proxy.total()
        print(f"app loader (bulk, sampled) : {app_req:5d} requests {app_s * 1000:9.0f} ms  "
              f"{app_points:>9,} points")
        scale = len(run_ids) / done
        note = "" if done == len(run_ids) else (
            f"  (measured on {done} of {len(run_ids)} runs, scaled up; "
            f"{naive_req} requests / {naive_s:.0f} s measured)")
        naive_s, naive_req = naive_s * scale, round(naive_req * scale)
        print(f"naive get_metric_history   : {naive_req:5d} requests {naive_s * 1000:9.0f} ms  "
              f"{round(naive_points * scale):>9,} points{note}")
        print(f"ratio                      : {naive_req / max(app_req, 1):.0f}x fewer requests, "
              f"{naive_s / app_s:.1f}x less time")
        proxy.stop()  # the UI probe talks to the server directly: the proxy's threads
        proxy = None  # would compete with the UI thread for the GIL in this process
        ui = ui_probe(server.url, run_ids, args.steps)
        print(f"time to first chart        : {ui['first_curve_ms']:.0f} ms to the first curves, "
              f"{ui['all_ms']:.0f} ms to all {len(run_ids)} (CompareView, empty cache)")
        print(f"UI stall, load + draw      : {ui['stall_ms']:.0f} ms largest gap between 10 ms "
              f"ticks (target < 100 ms) -> {'PASS' if ui['stall_ms'] < 100 else 'FAIL'}")
        print(f"from the cache (offline)   : {ui['cached_ms']:.0f} ms to all curves, stall "
              f"{ui['cached_stall_ms']:.0f} ms")
        print(f"zoom to a 1,000-step window: full resolution in {ui['zoom_ms']:.0f} ms, "
              f"stall {ui['zoom_stall_ms']:.0f} ms")
        print(f"pan/zoom redraw            : median {ui['pan_median_ms']:.1f} ms, max "
              f"{ui['pan_max_ms']:.1f} ms per frame ({len(run_ids)} curves)")
    finally:
        if proxy is not None:
            proxy.stop()
        server.stop()
    print(f"total bench time           : {time.perf_counter() - started:.0f} s")


def ui_probe(url: str, run_ids: list[str], steps: int) -> dict[str, float]:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from modelhub_desktop.core.cache import MetadataCache
    from modelhub_desktop.core.domain import ModelVersion, Profile, RunData
    from modelhub_desktop.core.registry import RegistryGateway
    from modelhub_desktop.ui.models.version_table_model import VersionRow
    from modelhub_desktop.ui.tasks import TaskRunner
    from modelhub_desktop.ui.views.compare_view import CompareView

    app = QApplication.instance() or QApplication([])
    runner = TaskRunner()
    gw = RegistryGateway(Profile("ui", url))
    runner.submit(lambda ctx: gw.connect())
    runner.wait_idle()
    rows = [VersionRow(ModelVersion("m", i + 1, run_id=r, creation_timestamp=i * 1000,
                                    aliases=("champion",) if i == 0 else ()),
                       RunData(r, metrics={KEY: 0.5}, status="FINISHED"))
            for i, r in enumerate(run_ids)]
    out: dict[str, float] = {}
    cache_path = Path(tempfile.mkdtemp()) / "cache.sqlite"

    def show(online: bool) -> tuple[CompareView, float, float, float]:
        view = CompareView(runner)
        view.resize(1200, 700)
        view.show()
        QCoreApplication.processEvents()
        view.set_context(gw, MetadataCache(cache_path), online=online)
        probe = StallProbe()
        probe.start()
        t = time.perf_counter()
        view.compare("m", rows, rows)
        wait_until(lambda: len(view.history_hover.series) > 0)
        QCoreApplication.processEvents()
        first = time.perf_counter() - t
        wait_until(lambda: len(view.history_hover.series) == len(rows) and not view.store.pending())
        view.history_plot.repaint()
        QCoreApplication.processEvents()
        every = time.perf_counter() - t
        time.sleep(0.05)
        QCoreApplication.processEvents()
        return view, first * 1000, every * 1000, probe.stop()

    view, out["first_curve_ms"], out["all_ms"], out["stall_ms"] = show(online=True)
    view.close()
    view.deleteLater()
    QCoreApplication.processEvents()
    view, _, out["cached_ms"], out["cached_stall_ms"] = show(online=False)

    # zoom in: the visible 1,000 steps come at full resolution (online view)
    view.set_context(gw, view.store.cache, online=True)
    vb = view.history_plot.getPlotItem().vb
    mid = steps // 2
    key = (run_ids[0], KEY)
    probe = StallProbe()
    probe.start()
    t = time.perf_counter()
    vb.setXRange(mid, mid + 999, padding=0)
    window = min(1000, steps)
    wait_until(lambda: len([p for p in view.store.histories[key] if mid <= p.step <= mid + 999])
               >= min(window, steps - mid), timeout_s=120)
    QCoreApplication.processEvents()
    out["zoom_ms"] = (time.perf_counter() - t) * 1000
    out["zoom_stall_ms"] = probe.stop()

    # pan and zoom over the whole history: one frame = new range + repaint
    frames = []
    for i in range(30):
        lo = (i * steps // 37) % max(steps - 10, 1)
        width = steps // (1 + i % 5)
        t = time.perf_counter()
        vb.setXRange(lo, lo + width, padding=0)
        view.history_plot.repaint()
        app.processEvents()
        frames.append((time.perf_counter() - t) * 1000)
    out["pan_median_ms"] = statistics.median(frames)
    out["pan_max_ms"] = max(frames)
    view.history.zoom_timer.stop()
    runner.shutdown()
    view.close()
    return out


if __name__ == "__main__":
    main()
