"""Histories for charts come in bulk (never one request per run and metric) and are cached."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.histories import RUNS_PER_REQUEST, load_histories
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import client_for, make_model
from tests.helpers import CountingProxy
from tests.servers import MlflowServer, free_port

pytestmark = pytest.mark.e2e


def test_bulk_requests_and_offline_reuse(mlflow_server: MlflowServer, tmp_path: Path) -> None:
    runs = make_model(client_for(mlflow_server.url), "history model", 20, n_params=1,
                      n_metrics=3, history_steps=200)
    proxy = CountingProxy(mlflow_server.port).start()
    try:
        gw = RegistryGateway(Profile("h", proxy.url))
        gw.connect()
        cache = MetadataCache(tmp_path / "c.sqlite")
        proxy.reset_counts()
        keys = ["m0", "m1", "m2"]
        got = load_histories(gw, cache, runs, keys, online=True)
        assert proxy.total() == len(keys) * math.ceil(len(runs) / RUNS_PER_REQUEST)
        client = client_for(mlflow_server.url)
        for rid in runs[:3]:
            truth = [(m.step, m.value) for m in client.get_metric_history(rid, "m1")]
            assert sorted(truth) == [(p.step, p.value) for p in got[(rid, "m1")]]
        assert all(len(got[(r, k)]) == 200 for r in runs for k in keys)
    finally:
        proxy.stop()
    offline = RegistryGateway(Profile("gone", f"http://127.0.0.1:{free_port()}"))
    again = load_histories(offline, cache, runs, keys, online=False)
    assert again == got
