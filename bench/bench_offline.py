"""Offline start: time to a populated table from the cache vs from the server, and memory.

On a real local `mlflow server`, builds one model with N versions (20 params and 10
metrics per run), then launches the app as a user would (`--smoke --model NAME`, a fresh
process each time, offscreen) and reads `data_s` (process start -> table populated) and
the child's peak RSS:
  * online, first start (empty cache): everything comes from the server;
  * online, later start (cache filled): cached rows are painted at once, but `data_s`
    is when the refresh from the server is on screen;
  * offline (server stopped; the cache filled by the online runs), median of --repeat;
  * --offline with a cache of --cached synthetic versions (peak memory).

    .venv/bin/python -m bench.bench_offline [--versions 1000] [--cached 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import StallProbe, start_server, wait_until

# Runs the app and reports the app process's own peak RSS when it exits, and the largest
# UI-thread step: the longest gap between ticks of a 10 ms QTimer running in the app's
# event loop (from its first tick, so building the window before the loop is not counted).
RUNNER = """
import resource, runpy, sys, time
sys.argv = ["modelhub-desktop"] + sys.argv[1:]
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
gaps, last = [], []
def tick():
    now = time.perf_counter()
    if last:
        gaps.append((now - last[0]) * 1000)
    last[:] = [now]
probe = QTimer()
probe.setInterval(10)
probe.timeout.connect(tick)
probe.start()
try:
    runpy.run_module("modelhub_desktop", run_name="__main__")
finally:
    top = sorted(gaps, reverse=True)[:3]
    print("ui_steps_ms", " ".join(f"{g:.0f}" for g in top) or "0", flush=True)
    print("maxrss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""


def smoke(url: str, data: Path, model: str, *extra: str) -> tuple[dict[str, str], float]:
    """One app launch: the smoke line's fields (plus `ui_step_ms`, the largest UI-thread
    step, and `ui_steps_ms`, the three largest) and the child's peak RSS in MB."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MLFLOW_DISABLE_TELEMETRY="true")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            RUNNER,
            "--smoke",
            "--tracking-uri",
            url,
            "--model",
            model,
            "--data-dir",
            str(data),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    out = proc.stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("smoke")), "")
    if not line.startswith("smoke ok"):
        raise SystemExit(f"app run failed: {line or 'no smoke line'}\n{out}\n{proc.stderr[-3000:]}")
    rss = next(int(ln.split()[1]) for ln in out.splitlines() if ln.startswith("maxrss_kb"))
    steps = next(ln.split()[1:] for ln in out.splitlines() if ln.startswith("ui_steps_ms"))
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    fields["ui_step_ms"], fields["ui_steps_ms"] = steps[0], ",".join(steps)
    return fields, rss / 1024


def synthetic_versions(model: str, n: int, now: int = 0) -> tuple[list[Any], dict[str, Any]]:
    """`n` versions of `model`, each with a run of 20 params and 10 metrics."""
    from modelhub_desktop.core.domain import ModelVersion, RunData

    now = now or int(time.time() * 1000)
    versions = [
        ModelVersion(
            model,
            i,
            creation_timestamp=now - i * 1000,
            run_id=f"r{i}",
            source=f"mlflow-artifacts:/1/r{i}/artifacts/model",
            tags={"team": "bench"},
            aliases=("champion",) if i == n else (),
        )
        for i in range(1, n + 1)
    ]
    runs = {
        f"r{i}": RunData(
            f"r{i}",
            params={f"p{j}": str(i * 10 + j) for j in range(20)},
            metrics={f"m{j}": i / (j + 1) for j in range(10)},
        )
        for i in range(1, n + 1)
    }
    return versions, runs


def fill_cache(data: Path, url: str, model: str, n: int) -> None:
    """A profile cache holding `n` synthetic versions, written the way a sync writes it."""
    from modelhub_desktop.core.cache import MetadataCache
    from modelhub_desktop.core.domain import RegisteredModel
    from modelhub_desktop.core.paths import AppPaths
    from modelhub_desktop.core.profiles import ProfileStore

    paths = AppPaths.resolve(data).ensure()
    profile = ProfileStore.for_tracking_uri(url)
    cache = MetadataCache(paths.cache_file(profile.cache_key))
    cache.replace_models([RegisteredModel(model, latest_version=n, aliases={"champion": n})])
    versions, runs = synthetic_versions(model, n)
    cache.replace_versions(model, versions, runs)
    cache.close()


def table_steps(n: int) -> dict[str, float]:
    """In this process: the version table's UI-thread steps for `n` versions (largest gap of
    a 10 ms timer per step), rows made on a worker the way the window makes them."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from modelhub_desktop.ui.models.version_rows import prepare_rows
    from modelhub_desktop.ui.task_keys import TaskKey
    from modelhub_desktop.ui.tasks import TaskRunner
    from modelhub_desktop.ui.views.version_table_view import VersionTableView

    app = QApplication.instance() or QApplication([])
    view = VersionTableView()
    view.resize(1400, 800)
    view.show()
    runner = TaskRunner()
    steps: dict[str, float] = {}
    now = int(time.time() * 1000)

    def measured(label: str, action: Any, done: Any) -> None:
        probe = StallProbe()
        probe.start()
        action()
        wait_until(done)
        app.processEvents()
        steps[label] = probe.stop()

    def load(reset: bool) -> Any:
        versions, runs = synthetic_versions("big-model", n, now)  # new objects, same content
        shown: list[int] = []

        def show(batch: Any) -> None:
            view.show_rows(batch, reset=reset)
            view.select_first()
            shown.append(1)

        def action() -> None:
            runner.submit(lambda ctx: prepare_rows(versions, runs), key=TaskKey.CACHED_VERSIONS,
                          on_result=show)

        return action, lambda: bool(shown)

    try:
        measured("rows arrive (table empty)", *load(reset=True))
        measured("refresh in place (same rows)", *load(reset=False))
        column = view.model.column_ids().index("metric:m0")
        measured("sort by a metric column",
                 lambda: view.table.sortByColumn(column, Qt.SortOrder.AscendingOrder),
                 lambda: True)
        # the first filter of a big table prepares its row texts over several turns: the
        # step ends when the filtered rows are shown
        measured("quick filter typed", lambda: view.quick_filter.setText("1999"),
                 lambda: view.proxy.rowCount() < view.model.rowCount())
        measured("quick filter cleared", lambda: view.quick_filter.setText(""),
                 lambda: view.proxy.rowCount() == view.model.rowCount())
    finally:
        runner.shutdown()
        view.close()
        view.deleteLater()
    return steps


def row(label: str, fields: dict[str, str], rss_mb: float) -> str:
    return (
        f"{label:<34} versions={fields['versions']:>5} mode={fields['mode']:<7} "
        f"window_s={fields['window_s']:>5} data_s={fields['data_s']:>6} "
        f"peak_rss={rss_mb:4.0f} MB ui_step={fields['ui_step_ms']:>4} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--versions", type=int, default=1000)
    ap.add_argument("--cached", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cached-only", action="store_true",
                    help="only the --offline start with --cached synthetic versions (no server)")
    args = ap.parse_args()
    started = time.perf_counter()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    if not args.cached_only:
        online_vs_offline(args)
    big_cache(args)
    print(f"benchmark wall time {time.perf_counter() - started:.0f} s")


def online_vs_offline(args: argparse.Namespace) -> None:
    """Time to a populated table from the server (empty, filled cache) vs offline."""
    from tests.builders import client_for, make_model

    model = "offline-bench"
    server = start_server("offline")
    data = Path(tempfile.mkdtemp(prefix="modelhub-bench-offline-"))
    try:
        t = time.perf_counter()
        make_model(
            client_for(server.url), model, args.versions, n_params=20, n_metrics=10, workers=6
        )
        print(
            f"built {args.versions} versions (20 params, 10 metrics each) on a local "
            f"server in {time.perf_counter() - t:.1f} s"
        )
        cold, cold_rss = smoke(server.url, data, model)
        warm, warm_rss = smoke(server.url, data, model)
    finally:
        server.stop()
    offline_runs = [smoke(server.url, data, model) for _ in range(max(1, args.repeat))]
    for fields, _ in offline_runs:
        assert fields["mode"] == "offline" and fields["versions"] == cold["versions"], fields
    median = statistics.median(float(f["data_s"]) for f, _ in offline_runs)
    print(row("online, first start (empty cache)", cold, cold_rss))
    print(row("online, later start (cache filled)", warm, warm_rss))
    for i, (fields, rss) in enumerate(offline_runs, 1):
        print(row(f"offline, server stopped (run {i})", fields, rss))
    print(
        f"time to populated table: online {float(cold['data_s']):.2f} s vs offline "
        f"{median:.2f} s (median of {len(offline_runs)}): offline start is "
        f"{float(cold['data_s']) / median:.1f}x faster"
    )



def big_cache(args: argparse.Namespace) -> None:
    """--offline on a cache of `args.cached` versions: memory and the largest UI step."""
    big = Path(tempfile.mkdtemp(prefix="modelhub-bench-big-"))
    url = "http://127.0.0.1:9"  # nothing listens there: --offline must not care
    t = time.perf_counter()
    fill_cache(big, url, "big-model", args.cached)
    fill_s = time.perf_counter() - t
    size_mb = sum(p.stat().st_size for p in (big / "cache").iterdir()) / 1e6
    result, peak_mb = smoke(url, big, "big-model", "--offline")
    assert result["versions"] == str(args.cached), result
    print(f"cache of {args.cached} versions: written in {fill_s:.1f} s, {size_mb:.0f} MB on disk")
    print(row(f"--offline, {args.cached} cached versions", result, peak_mb))
    print(f"peak memory with {args.cached} cached versions: {peak_mb:.0f} MB")
    print(f"largest UI-thread step with {args.cached} cached versions (10 ms timer probe): "
          f"{result['ui_step_ms']} ms (three largest: {result['ui_steps_ms']} ms)")
    print(f"version table alone, {args.cached} versions, largest UI-thread step per step:")
    for label, gap in table_steps(args.cached).items():
        print(f"  {label:<32} {gap:6.0f} ms")


if __name__ == "__main__":
    main()
