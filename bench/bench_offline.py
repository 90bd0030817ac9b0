"""Offline start: time to a populated table from the cache vs from the server, and memory.

    .venv/bin/python -m bench.bench_offline [--versions 1000] [--cached 20000]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import start_server

# Runs the app and reports the app process's own peak RSS when it exits.
RUNNER = """
import resource, runpy, sys
sys.argv = ["modelhub-desktop"] + sys.argv[1:]
try:
    runpy.run_module("modelhub_desktop", run_name="__main__")
finally:
    print("maxrss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""


def smoke(url: str, data: Path, model: str, *extra: str) -> tuple[dict[str, str], float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", RUNNER, "--smoke", "--tracking-uri", url,
                          "--model", model, "--data-dir", str(data), *extra],
                         capture_output=True, text=True, timeout=600, env=env).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("smoke"))
    rss = next(int(ln.split()[1]) for ln in out.splitlines() if ln.startswith("maxrss_kb"))
    return dict(re.findall(r"(\w+)=(\S+)", line)), rss / 1024


def fill_cache(data: Path, url: str, model: str, n: int) -> None:
    from modelhub_desktop.core.cache import MetadataCache
    from modelhub_desktop.core.domain import ModelVersion, RegisteredModel, RunData
    from modelhub_desktop.core.paths import AppPaths
    from modelhub_desktop.core.profiles import ProfileStore

    paths = AppPaths.resolve(data).ensure()
    profile = ProfileStore.for_tracking_uri(url)
    cache = MetadataCache(paths.cache_file(profile.cache_key))
    cache.replace_models([RegisteredModel(model, latest_version=n)])
    now = int(time.time() * 1000)
    versions = [ModelVersion(model, i, creation_timestamp=now, run_id=f"r{i}")
                for i in range(1, n + 1)]
    runs = {f"r{i}": RunData(f"r{i}", params={f"p{j}": str(i + j) for j in range(20)},
                             metrics={f"m{j}": i / (j + 1) for j in range(10)})
            for i in range(1, n + 1)}
    cache.replace_versions(model, versions, runs)
    cache.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--versions", type=int, default=1000)
    ap.add_argument("--cached", type=int, default=20000)
    args = ap.parse_args()
    from tests.builders import client_for, make_model

    server = start_server("offline")
    data = Path(tempfile.mkdtemp())
    try:
        make_model(client_for(server.url), "offline-bench", args.versions, n_params=20,
                   n_metrics=10, workers=6)
        online, _ = smoke(server.url, data, "offline-bench")
    finally:
        server.stop()
    offline, _ = smoke(server.url, data, "offline-bench")
    print(f"online  (from the server): {online['versions']} versions, data_s={online['data_s']}")
    print(f"offline (from the cache) : {offline['versions']} versions, "
          f"data_s={offline['data_s']} mode={offline['mode']}")
    print(f"ratio: offline start is {float(online['data_s']) / float(offline['data_s']):.1f}x "
          "faster")
    big = Path(tempfile.mkdtemp())
    url = "http://127.0.0.1:9"
    fill_cache(big, url, "big-model", args.cached)
    result, peak_mb = smoke(url, big, "big-model", "--offline")
    print(f"{result['versions']} cached versions offline: data_s={result['data_s']}, "
          f"peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
