"""Histories come from MLflow's bulk endpoints, counted through a proxy, equal to what the
server holds, and keep working from the cache when the server is gone."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelhub_desktop.core import histories
from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import MetricPoint, Profile
from modelhub_desktop.core.errors import Unreachable
from modelhub_desktop.core.histories import (
    BULK_FULL,
    BULK_INTERVAL,
    RUNS_PER_REQUEST,
    fetch_histories,
    load_histories,
)
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import client_for, make_model
from tests.helpers import CountingProxy
from tests.servers import MlflowServer, free_port

pytestmark = pytest.mark.e2e

N_RUNS, KEYS, STEPS = 20, ["m0", "m1", "m2"], 200


@pytest.fixture(scope="module")
def model_runs(mlflow_server: MlflowServer) -> list[str]:
    return make_model(client_for(mlflow_server.url), "bulk histories", N_RUNS, n_params=1,
                      n_metrics=len(KEYS), history_steps=STEPS)


@pytest.fixture
def proxy(mlflow_server: MlflowServer) -> Iterator[CountingProxy]:
    p = CountingProxy(mlflow_server.port).start()
    yield p
    p.stop()


def server_truth(url: str, runs: list[str], keys: list[str]) -> dict[tuple[str, str], list]:
    client = client_for(url)
    return {(r, k): sorted((m.step, m.timestamp, m.value)
                           for m in client.get_metric_history(r, k)) for r in runs for k in keys}


def as_truth(got: dict[tuple[str, str], list[MetricPoint]]) -> dict[tuple[str, str], list]:
    return {pair: sorted((p.step, p.timestamp, p.value) for p in pts)
            for pair, pts in got.items()}


def test_bulk_request_count_values_and_offline(mlflow_server: MlflowServer, model_runs: list[str],
                                               proxy: CountingProxy, tmp_path: Path) -> None:
    gw = RegistryGateway(Profile("bulk", proxy.url))
    gw.connect()
    cache = MetadataCache(tmp_path / "c.sqlite")
    proxy.reset_counts()
    got = load_histories(gw, cache, model_runs, KEYS, online=True)
    budget = math.ceil(len(model_runs) / RUNS_PER_REQUEST) * len(KEYS)
    assert proxy.total() <= budget + 1, proxy.counts()
    assert set(proxy.counts()) == {f"GET {BULK_INTERVAL}"}
    assert all(len(got[(r, k)]) == STEPS for r in model_runs for k in KEYS)
    assert as_truth(got) == server_truth(mlflow_server.url, model_runs, KEYS)

    # cached: a second load makes no request at all, even "online"
    proxy.reset_counts()
    assert as_truth(load_histories(gw, cache, model_runs, KEYS, online=True)) == as_truth(got)
    assert proxy.total() == 0

    # the server is gone: charts still get everything from the cache
    gone = RegistryGateway(Profile("gone", f"http://127.0.0.1:{free_port()}"))
    offline = load_histories(gone, cache, model_runs, KEYS, online=False)
    assert as_truth(offline) == as_truth(got)
    online_but_down = load_histories(gone, cache, model_runs, KEYS, online=True)
    assert as_truth(online_but_down) == as_truth(got)
    with pytest.raises(Unreachable):  # and what is not cached says why it is missing
        load_histories(gone, cache, model_runs, ["never-cached"], online=True)


def test_full_resolution_continues_truncated_responses(
        mlflow_server: MlflowServer, model_runs: list[str], proxy: CountingProxy,
        monkeypatch: pytest.MonkeyPatch) -> None:
    gw = RegistryGateway(Profile("full", proxy.url))
    truth = server_truth(mlflow_server.url, model_runs, ["m1"])

    proxy.reset_counts()
    full = fetch_histories(gw, model_runs, ["m1"])  # 4,000 points: one response
    assert proxy.counts() == {f"GET {BULK_FULL}": 1}
    assert as_truth(full) == truth

    # a response cap of 1,500 points (the server's is 25,000): continued, nothing lost
    monkeypatch.setattr(histories, "BULK_MAX_POINTS", 1500)
    proxy.reset_counts()
    assert as_truth(fetch_histories(gw, model_runs, ["m1"])) == truth
    assert 3 <= proxy.total() <= 4, proxy.counts()

    # one run longer than a whole response: read in step windows, still complete
    monkeypatch.setattr(histories, "BULK_MAX_POINTS", 150)
    monkeypatch.setattr(histories, "WINDOW_STEPS", 64)
    proxy.reset_counts()
    two = model_runs[:2]
    windowed = fetch_histories(gw, two, ["m1"])
    assert as_truth(windowed) == {k: v for k, v in truth.items() if k[0] in two}
    assert proxy.counts()[f"GET {BULK_INTERVAL}"] >= 4


def test_zoom_window_and_sampling_of_long_histories(mlflow_server: MlflowServer,
                                                    proxy: CountingProxy) -> None:
    from mlflow.entities import Metric

    client = client_for(mlflow_server.url)
    exp = client.create_experiment(f"long-{time.time()}")
    now = int(time.time() * 1000)
    rid = client.create_run(exp).info.run_id
    odd = client.create_run(exp).info.run_id
    points = [Metric("loss", 1.0 / (1 + s), now + s, s) for s in range(6000)]
    for start in range(0, len(points), 1000):
        client.log_batch(rid, metrics=points[start : start + 1000])
    client.log_batch(odd, metrics=[Metric("loss", v, now + s, s) for s, v in
                                   [(0, 1.0), (3, math.nan), (4, math.inf), (900, 0.5)]])
    gw = RegistryGateway(Profile("zoom", proxy.url))
    proxy.reset_counts()
    sampled = fetch_histories(gw, [rid, odd], ["loss"], max_points=2500)
    assert proxy.total() == 1
    long = sampled[(rid, "loss")]
    assert len(long) == 2500 and long[0].step == 0 and long[-1].step == 5999
    values = [p.value for p in sampled[(odd, "loss")]]
    assert math.isnan(values[1]) and values[2] > 1e308  # NaN and inf as the server holds
    proxy.reset_counts()
    window = fetch_histories(gw, [rid, odd], ["loss"], steps=(1000, 1100))
    assert proxy.total() == 1
    assert [p.step for p in window[(rid, "loss")]] == list(range(1000, 1101))
    assert window[(odd, "loss")] == []
