"""Histories from the embedded sqlite store (no HTTP), cache first, and the slice decoder."""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelhub_desktop.core import histories
from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import Cancelled
from modelhub_desktop.core.histories import fetch_histories, load_histories
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.registry import RegistryGateway

LONG = 3000  # longer than one sampled answer (2,500 points)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """An embedded store with runs: a long history, NaN/inf and step gaps, one step, none."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric

    root = tmp_path_factory.mktemp("embedded")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    exp = client.create_experiment("h", artifact_location=(root / "a").as_uri())
    now = int(time.time() * 1000)
    runs = {name: client.create_run(exp).info.run_id
            for name in ("long", "odd", "single", "empty")}
    long = [Metric("loss", 1.0 / (1 + s), now + s, s) for s in range(LONG)]
    for start in range(0, LONG, 1000):
        client.log_batch(runs["long"], metrics=long[start : start + 1000])
    odd = [(0, 3.0), (5, math.nan), (100, math.inf), (101, -math.inf), (5000, 0.5)]
    client.log_batch(runs["odd"], metrics=[Metric("loss", v, now + s, s) for s, v in odd]
                     + [Metric("acc", 0.5, now, 0)])
    client.log_batch(runs["single"], metrics=[Metric("loss", 0.25, now, 7)])
    client.log_batch(runs["empty"], metrics=[Metric("acc", 0.9, now, 0)])
    yield uri, runs


def same(h: dict) -> dict:
    """Comparable form (NaN != NaN)."""
    return {k: [(p.run_id, p.key, p.step, repr(p.value), p.timestamp) for p in v]
            for k, v in h.items()}


def gateway(uri: str) -> RegistryGateway:
    return RegistryGateway(Profile("local", uri, source="local"))


def test_embedded_store_full_sampled_and_windowed(store: tuple[str, dict[str, str]]) -> None:
    uri, runs = store
    gw = gateway(uri)
    ids = list(runs.values())
    full = fetch_histories(gw, ids, ["loss"])
    assert set(full) == {(r, "loss") for r in ids}
    assert len(full[(runs["long"], "loss")]) == LONG
    odd = full[(runs["odd"], "loss")]
    assert [p.step for p in odd] == [0, 5, 100, 101, 5000]  # gaps kept, sorted by step
    assert math.isnan(odd[1].value) and odd[2].value >= sys.float_info.max  # inf as stored
    assert [(p.step, p.value) for p in full[(runs["single"], "loss")]] == [(7, 0.25)]
    assert full[(runs["empty"], "loss")] == []  # did not log it: known, not missing

    sampled = fetch_histories(gw, [runs["long"]], ["loss"], max_points=500)
    long = sampled[(runs["long"], "loss")]
    assert len(long) == 500 and long[0].step == 0 and long[-1].step == LONG - 1
    capped = fetch_histories(gw, [runs["long"]], ["loss"], max_points=10**6)
    assert len(capped[(runs["long"], "loss")]) == histories.MAX_POINTS_PER_RUN

    window = fetch_histories(gw, [runs["long"], runs["odd"]], ["loss"], steps=(90, 190))
    assert [p.step for p in window[(runs["long"], "loss")]] == list(range(90, 191))
    assert [p.step for p in window[(runs["odd"], "loss")]] == [100, 101]

    assert fetch_histories(gw, [], ["loss"]) == {}
    assert fetch_histories(gw, ids, []) == {}


def test_cache_first_then_offline(store: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    uri, runs = store
    gw = gateway(uri)
    cache = MetadataCache(tmp_path / "c.sqlite")
    ids = [runs["odd"], runs["single"], runs["empty"]]
    partials: list[dict] = []
    progress: list[tuple[int, int, str]] = []
    ctx = TaskContext(on_progress=lambda d, t, m: progress.append((d, t, m)),
                      on_partial=partials.append)
    first = load_histories(gw, cache, ids, ["loss", "acc"], ctx, online=True)
    assert len(first) == 6 and first[(runs["empty"], "loss")] == []
    assert partials and progress[-1][0] == progress[-1][1]
    calls = gw.calls

    again = load_histories(gw, cache, ids, ["loss", "acc"], online=True)
    assert same(again) == same(first) and gw.calls == calls  # all from the cache

    dead = gateway("sqlite:////nonexistent-dir/never.db")
    offline = load_histories(dead, cache, ids + ["unknown-run"], ["loss"], online=False)
    # the unknown run is absent
    assert same(offline) == same({k: v for k, v in first.items() if k[1] == "loss"})

    refreshed = load_histories(gw, cache, ids, ["loss"], online=True, refresh={runs["odd"]})
    assert same(refreshed) == same(offline) and gw.calls == calls + 1  # one store read: the odd run


def test_cancel_stops_between_chunks(store: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    uri, runs = store
    ctx = TaskContext()
    ctx.cancel()
    with pytest.raises(Cancelled):
        load_histories(gateway(uri), MetadataCache(tmp_path / "c.sqlite"), runs.values(),
                       ["loss"], ctx, online=True)


@pytest.mark.parametrize("indent", [None, 2])
def test_slice_decoder_matches_json(indent: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(histories, "DECODE_SLICE", 50)  # many slices
    rows = [{"key": "a b/c:d", "value": v, "timestamp": 10 + i, "step": i, "run_id": "r" * 32}
            for i, v in enumerate([0.5, math.nan, math.inf, -1e-300, 3])]
    body = json.dumps({"metrics": rows}, indent=indent)
    decoded = [r for part in histories._iter_objects(body) for r in part]
    assert json.dumps(decoded) == json.dumps(rows)
    assert list(histories._iter_objects("{}")) == []
    assert list(histories._iter_objects('{"metrics": []}')) == []
    # an unexpected shape falls back to one json.loads, without duplicates
    odd = json.dumps({"metrics": [{"key": "x", "nested": {"a": 1}, "step": i} for i in range(9)]})
    assert [r["step"] for part in histories._iter_objects(odd) for r in part] == list(range(9))
    points = list(histories._points([{"run_id": "r", "value": "NaN", "step": "3"}], "k"))
    assert math.isnan(points[0].value) and points[0].step == 3 and points[0].timestamp == 0


def test_first_runs_come_in_a_request_of_their_own(store: tuple[str, dict[str, str]],
                                                   tmp_path: Path) -> None:
    uri, runs = store
    gw = gateway(uri)
    partials: list[dict] = []
    ids = [runs["odd"], runs["single"], runs["empty"]]
    got = load_histories(gw, MetadataCache(tmp_path / "c.sqlite"), ids, ["loss", "acc"],
                         TaskContext(on_partial=partials.append), online=True,
                         first=[runs["single"], "not-requested"])
    assert list(partials[0]) == [(runs["single"], "loss")]  # the first key as given
    assert len(got) == 6 and sum(len(p) for p in partials) == 6
