"""Metric histories for charts, fetched in bulk and cached so charts work offline.

Never one request per run and metric: the server's bulk-interval endpoint takes up to
100 runs per request and returns up to 2,500 (evenly sampled) points per run; a zoomed
view asks again for its step range only, at full resolution.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import MetricPoint
from modelhub_desktop.core.progress import TaskContext, cooperative
from modelhub_desktop.core.registry import RegistryGateway, chunked

BULK_INTERVAL = "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval"
RUNS_PER_REQUEST = 100
MAX_POINTS_PER_RUN = 2500

Histories = dict[tuple[str, str], list[MetricPoint]]


def _value(raw: object) -> float:
    try:
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def fetch_histories(
    gateway: RegistryGateway,
    run_ids: Iterable[str],
    keys: Iterable[str],
    ctx: TaskContext | None = None,
    steps: tuple[int, int] | None = None,
) -> Histories:
    """Histories of `keys` for `run_ids`: one request per metric per 100 runs."""
    ids = sorted({r for r in run_ids if r})
    metric_keys = sorted(set(keys))
    out: Histories = {(r, k): [] for r in ids for k in metric_keys}
    if not ids or not metric_keys:
        return out
    gateway.connect()
    total = len(metric_keys) * math.ceil(len(ids) / RUNS_PER_REQUEST)
    done = 0
    for key in metric_keys:
        for chunk in chunked(ids, RUNS_PER_REQUEST):
            if ctx:
                ctx.check()
                ctx.progress(done, total, f"history of {key}")
            for p in _fetch_chunk(gateway, chunk, key, steps):
                out[(p.run_id, key)].append(p)
            done += 1
    for points in out.values():
        points.sort(key=lambda p: (p.step, p.timestamp))
    return out


def _fetch_chunk(gateway: RegistryGateway, run_ids: list[str], key: str,
                 steps: tuple[int, int] | None) -> list[MetricPoint]:
    params: dict[str, object] = {"run_ids": run_ids, "metric_key": key,
                                 "max_results": MAX_POINTS_PER_RUN}
    if steps is not None:
        params["start_step"], params["end_step"] = steps
    with gateway._call("get-history-bulk-interval"):
        if gateway.profile.is_remote:
            from mlflow.utils.rest_utils import http_request, verify_rest_response

            resp = http_request(gateway.host_creds(), BULK_INTERVAL, "GET", params=params)
            verify_rest_response(resp, BULK_INTERVAL)
            rows = resp.json().get("metrics", [])
            return [MetricPoint(str(m["run_id"]), key, _value(m.get("value")),
                                int(m.get("step", 0)), int(m.get("timestamp", 0)))
                    for m in cooperative(rows, every=500)]
        start, end = steps if steps is not None else (None, None)
        metrics = gateway._tracking.get_metric_history_bulk_interval(
            run_ids=run_ids, metric_key=key, max_results=MAX_POINTS_PER_RUN,
            start_step=start, end_step=end)
        return [MetricPoint(m.run_id, key, float(m.value), int(m.step), int(m.timestamp))
                for m in metrics]


def load_histories(
    gateway: RegistryGateway,
    cache: MetadataCache,
    run_ids: Iterable[str],
    keys: Iterable[str],
    online: bool,
    ctx: TaskContext | None = None,
) -> Histories:
    """Cache first; fetch (in bulk) only what the cache lacks, when online, and store it."""
    ids = sorted({r for r in run_ids if r})
    metric_keys = sorted(set(keys))
    out: Histories = {}
    missing_runs: set[str] = set()
    for rid in ids:
        for key in metric_keys:
            cached = cache.metric_history(rid, key)
            if cached is None:
                missing_runs.add(rid)
            else:
                out[(rid, key)] = cached
    if missing_runs and online:
        fetched = fetch_histories(gateway, missing_runs, metric_keys, ctx)
        cache.store_metric_histories(fetched)
        out.update(fetched)
    return out
