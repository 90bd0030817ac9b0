"""Metric histories for charts: fetched in bulk, cached so charts work offline.

Never one request per run and metric. Two MLflow endpoints take up to 100 runs and one
metric per request:

- ``GET /api/2.0/mlflow/metrics/get-history-bulk-interval`` (``run_ids``, ``metric_key``,
  ``max_results`` <= 2,500 points *per run*, optional ``start_step`` + ``end_step``)
  returns each run's history evenly sampled (first and last point kept), or complete when
  it has no more points than asked for. Charts use it: a 100,000-step history arrives as
  2,500 points, and a zoomed view asks again for its step window only, at full resolution.
- ``GET /ajax-api/2.0/mlflow/metrics/get-history-bulk`` (``run_id`` repeated,
  ``metric_key``, ``max_results``) returns complete histories, but at most 25,000 points
  per *response*, ordered by run. A truncated response is continued with the runs it did
  not finish; a single run longer than that is read in step windows of the interval
  endpoint.

Neither endpoint is wrapped by ``MlflowClient``: requests go through mlflow's own REST
helper with the profile's credentials and TLS settings. The embedded (sqlite) store has
no HTTP round trips, so there each run x metric is read from the store directly.

Large responses are decoded in slices, giving the UI thread a turn in between: one
``json.loads`` of 100 runs x 2,500 points would hold the GIL for several hundred ms.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import MetricPoint
from modelhub_desktop.core.errors import ModelHubError
from modelhub_desktop.core.mlflow_errors import translate_error
from modelhub_desktop.core.progress import TaskContext, cooperative, yield_to_ui
from modelhub_desktop.core.registry import RegistryGateway, chunked

BULK_INTERVAL = "/api/2.0/mlflow/metrics/get-history-bulk-interval"
BULK_FULL = "/ajax-api/2.0/mlflow/metrics/get-history-bulk"
#: Runs per request, both endpoints (the server rejects more).
RUNS_PER_REQUEST = 100
#: Sampled points per run the interval endpoint returns at most (server limit).
MAX_POINTS_PER_RUN = 2500
#: Points per response the full bulk endpoint returns at most (server limit).
BULK_MAX_POINTS = 25_000
#: Step window for reading one very long history at full resolution.
WINDOW_STEPS = 2000
#: Characters of a response decoded at a time (about 2,000 points).
DECODE_SLICE = 256 * 1024
#: Retries and timeout of one bulk request: a chart must not hang for minutes.
MAX_RETRIES = 2
TIMEOUT_S = 60

Histories = dict[tuple[str, str], list[MetricPoint]]


# -- helpers -------------------------------------------------------------------------------------
def _value(raw: object) -> float:
    """A metric value from JSON ("NaN", "Infinity" and numbers)."""
    try:
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _sort(points: list[MetricPoint]) -> list[MetricPoint]:
    points.sort(key=lambda p: (p.step, p.timestamp))
    return points


def sample_evenly(points: Sequence[MetricPoint], max_points: int) -> list[MetricPoint]:
    """At most `max_points` evenly spaced points, first and last kept (as the server does)."""
    n = len(points)
    if n <= max_points:
        return list(points)
    if max_points <= 1:
        return [points[-1]]
    stride = (n - 1) / (max_points - 1)
    return [points[i] for i in sorted({round(i * stride) for i in range(max_points)})]


def _iter_objects(body: str) -> Iterator[list[dict[str, Any]]]:
    """The `metrics` array of a bulk response, decoded a slice at a time.

    Each element is a flat object (numbers and strings; metric keys and run ids cannot
    contain braces), so every "}" ends an element and the array can be cut there.
    """
    at = body.find('"metrics"')
    start = body.find("[", at) if at >= 0 else -1
    if start < 0:
        return
    end = body.rfind("]")
    i, decoded = start + 1, 0
    while i < end:
        cut = body.find("}", min(i + DECODE_SLICE, end))
        if cut < 0 or cut > end:
            cut = end - 1
        piece = body[i : cut + 1].strip().strip(",")
        i = cut + 1
        if piece:
            try:
                rows = json.loads("[" + piece + "]")
            except ValueError:  # not the shape expected: decode the whole body instead
                yield json.loads(body).get("metrics", [])[decoded:]
                return
            decoded += len(rows)
            yield rows
        yield_to_ui()


def _points(rows: Iterable[dict[str, Any]], key: str) -> Iterator[MetricPoint]:
    for m in cooperative(rows, every=500):
        yield MetricPoint(str(m["run_id"]), key, _value(m.get("value")),
                          int(m.get("step", 0) or 0), int(m.get("timestamp", 0) or 0))


@contextmanager
def _translated(gateway: RegistryGateway) -> Iterator[None]:
    try:
        yield
    except ModelHubError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes an app error
        raise translate_error(exc) from None


def _get(gateway: RegistryGateway, endpoint: str, params: dict[str, Any],
         key: str) -> list[MetricPoint]:
    """One GET against a bulk endpoint; points in response order."""
    from mlflow.utils.rest_utils import http_request, verify_rest_response

    gateway.calls += 1
    with _translated(gateway):
        resp = http_request(gateway.host_creds(), endpoint, "GET", params=params,
                            max_retries=MAX_RETRIES, backoff_factor=1, timeout=TIMEOUT_S)
        if resp.status_code != 200:
            verify_rest_response(resp, endpoint)  # raises the server's error
        body = resp.content.decode("utf-8")
    out: list[MetricPoint] = []
    for rows in _iter_objects(body):
        out.extend(_points(rows, key))
    return out


def _by_run(points: Iterable[MetricPoint]) -> dict[str, list[MetricPoint]]:
    out: dict[str, list[MetricPoint]] = {}
    for p in points:
        out.setdefault(p.run_id, []).append(p)
    return out


# -- the embedded store --------------------------------------------------------------------------
def local_metric_history(gateway: RegistryGateway, run_id: str, key: str,
                         max_points: int | None = None,
                         steps: tuple[int, int] | None = None) -> list[MetricPoint]:
    """One run's history of `key` from the embedded store (no HTTP), sorted by step.

    Sampled like the server's interval endpoint when `max_points` is given; `steps`
    restricts it to a window of steps (both ends included).
    """
    points = gateway.stored_metric_history(run_id, key)
    if steps is not None:
        points = [p for p in points if steps[0] <= p.step <= steps[1]]
    points = _sort(points)
    return sample_evenly(points, max_points) if max_points else points


# -- fetching ------------------------------------------------------------------------------------
def iter_histories(
    gateway: RegistryGateway,
    run_ids: Iterable[str],
    keys: Iterable[str],
    ctx: TaskContext | None = None,
    max_points: int | None = None,
    steps: tuple[int, int] | None = None,
) -> Iterator[Histories]:
    """Like `fetch_histories`, one chunk (up to 100 runs x one metric) at a time."""
    ids = sorted({r for r in run_ids if r})
    metric_keys = sorted({k for k in keys if k})
    if not ids or not metric_keys:
        return
    gateway.connect()
    if max_points is not None:
        max_points = max(1, min(int(max_points), MAX_POINTS_PER_RUN))
    elif steps is not None:
        max_points = MAX_POINTS_PER_RUN
    chunks = [(key, chunk) for key in metric_keys for chunk in chunked(ids, RUNS_PER_REQUEST)]
    for done, (key, chunk) in enumerate(chunks):
        if ctx is not None:
            ctx.check()
            ctx.progress(done, len(chunks), f"history of {key}")
        if not gateway.profile.is_remote:
            got = {rid: local_metric_history(gateway, rid, key, max_points, steps)
                   for rid in chunk}
        elif max_points is None:
            got = _full(gateway, chunk, key, ctx)
        else:
            got = _sampled(gateway, chunk, key, max_points, steps)
        yield {(rid, key): _sort(got.get(rid, [])) for rid in chunk}
    if ctx is not None:
        ctx.progress(len(chunks), len(chunks), "histories loaded")


def fetch_histories(
    gateway: RegistryGateway,
    run_ids: Iterable[str],
    keys: Iterable[str],
    ctx: TaskContext | None = None,
    max_points: int | None = None,
    steps: tuple[int, int] | None = None,
) -> Histories:
    """Histories of `keys` for `run_ids`, sorted by step; `[]` where a run lacks a metric.

    `max_points=None`: complete histories (full bulk endpoint). `max_points=N` (<= 2,500):
    each run sampled to N points (interval endpoint). `steps=(first, last)`: only that
    window of steps, sampled to `max_points` (2,500 by default) - complete when the window
    holds fewer points, which is what a zoomed chart asks for.

    Requests: ceil(runs / 100) per metric (more only for complete histories longer than
    25,000 points per response). Raises the app's errors (Unreachable, AuthFailed, ...).
    """
    out: Histories = {}
    for chunk in iter_histories(gateway, run_ids, keys, ctx, max_points, steps):
        out.update(chunk)
    return out


def _sampled(gateway: RegistryGateway, run_ids: list[str], key: str, max_points: int,
             steps: tuple[int, int] | None) -> dict[str, list[MetricPoint]]:
    params: dict[str, Any] = {"run_ids": run_ids, "metric_key": key, "max_results": max_points}
    if steps is not None:
        params["start_step"], params["end_step"] = min(steps), max(steps)
    return _by_run(_get(gateway, BULK_INTERVAL, params, key))


def _full(gateway: RegistryGateway, run_ids: list[str], key: str,
          ctx: TaskContext | None) -> dict[str, list[MetricPoint]]:
    """Complete histories through the full bulk endpoint, continuing truncated responses."""
    out: dict[str, list[MetricPoint]] = {}
    pending = list(run_ids)
    while pending:
        if ctx is not None:
            ctx.check()
        points = _get(gateway, BULK_FULL, {"run_id": pending, "metric_key": key,
                                           "max_results": BULK_MAX_POINTS}, key)
        got = _by_run(points)
        if len(points) < BULK_MAX_POINTS:
            out.update({rid: got.get(rid, []) for rid in pending})
            break
        # Truncated: rows come ordered by run, so every run but the last one seen is whole.
        last = points[-1].run_id
        whole = [rid for rid in got if rid != last]
        out.update({rid: got[rid] for rid in whole})
        if not whole:  # one run alone has more points than a response can hold
            out.update(_full_by_windows(gateway, [last], key, ctx))
        pending = [rid for rid in pending if rid not in out]
    return out


def _full_by_windows(gateway: RegistryGateway, run_ids: list[str], key: str,
                     ctx: TaskContext | None) -> dict[str, list[MetricPoint]]:
    """Very long histories at full resolution, in step windows of the interval endpoint.

    A window answered with fewer points than asked for is complete; one answered with
    the maximum may have been sampled and is split in two (down to a single step).
    """
    ends = _sampled(gateway, run_ids, key, 2, None)  # first and last point of each run
    steps = [p.step for pts in ends.values() for p in pts]
    out: dict[str, list[MetricPoint]] = {rid: [] for rid in run_ids}
    if not steps:
        return out
    lo, hi = min(steps), max(steps)
    windows = [(a, min(a + WINDOW_STEPS - 1, hi), list(run_ids))
               for a in range(lo, hi + 1, WINDOW_STEPS)]
    windows.reverse()
    while windows:
        if ctx is not None:
            ctx.check()
        a, b, runs = windows.pop()
        got = _sampled(gateway, runs, key, MAX_POINTS_PER_RUN, (a, b))
        again = [rid for rid in runs if len(got.get(rid, [])) >= MAX_POINTS_PER_RUN]
        for rid in runs:
            if rid not in again or a == b:
                out[rid].extend(got.get(rid, []))
        if again and a < b:
            mid = (a + b) // 2
            windows += [(mid + 1, b, again), (a, mid, again)]
    return out


# -- cache first ---------------------------------------------------------------------------------
def load_histories(
    gateway: RegistryGateway,
    cache: MetadataCache,
    run_ids: Iterable[str],
    keys: Iterable[str],
    ctx: TaskContext | None = None,
    online: bool = True,
    *,
    max_points: int | None = MAX_POINTS_PER_RUN,
    refresh: Collection[str] = (),
    first: Sequence[str] = (),
) -> Histories:
    """Histories from the cache; what it lacks is fetched in bulk (when online) and stored.

    Pairs neither cached nor fetched (offline) are absent from the result; a run that did
    not log a metric maps to `[]`. Runs in `refresh` (e.g. still running) are fetched again
    when online. Charts load sampled histories (`max_points`, 2,500 per run); each fetched
    chunk is stored and handed to `ctx.partial` as it arrives, so a chart can draw early.

    `first`: runs whose history of the first of `keys` is fetched before all others, in a
    request of its own (one request more): the server samples long histories slowly
    (about 1.5 s per 100,000 points), so a chart shows these while the rest loads.
    """
    key_order = [k for k in dict.fromkeys(keys) if k]
    ids = sorted({r for r in run_ids if r})
    metric_keys = sorted(key_order)
    out: Histories = {}
    missing: dict[str, list[str]] = {}  # metric -> runs
    for key in metric_keys:
        for rid in ids:
            cached = None if (online and rid in refresh) else cache.metric_history(rid, key)
            if cached is None:
                missing.setdefault(key, []).append(rid)
            else:
                out[(rid, key)] = cached
            yield_to_ui()  # decoding a long cached history takes a few ms
    if out and ctx is not None:
        ctx.partial(dict(out))
    if not online or not missing:
        return out
    lead_key = next((k for k in key_order if k in missing), "")
    lead = [r for r in dict.fromkeys(first) if r in missing.get(lead_key, ())]
    if lead and len(lead) < len(missing[lead_key]):
        for chunk in iter_histories(gateway, lead, [lead_key], ctx, max_points):
            cache.store_metric_histories(chunk)
            out.update(chunk)
            if ctx is not None:
                ctx.partial(chunk)
        missing[lead_key] = [r for r in missing[lead_key] if r not in lead]
    # group metrics that miss the same runs: one pass over (metric x chunk) each
    by_runs: dict[tuple[str, ...], list[str]] = {}
    for key, runs in missing.items():
        by_runs.setdefault(tuple(runs), []).append(key)
    for run_group, group in by_runs.items():
        for chunk in iter_histories(gateway, run_group, group, ctx, max_points):
            cache.store_metric_histories(chunk)
            out.update(chunk)
            if ctx is not None:
                ctx.partial(chunk)
    return out
