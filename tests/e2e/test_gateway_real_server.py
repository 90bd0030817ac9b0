"""The gateway against a real `mlflow server`: what it returns equals what the server holds."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import InvalidInput, NotFound, Unreachable
from modelhub_desktop.core.registry import RUN_ID_CHUNK, VERSIONS_PAGE, RegistryGateway
from tests.builders import client_for, make_model
from tests.helpers import CountingProxy
from tests.servers import MlflowServer, free_port

pytestmark = pytest.mark.e2e

ODD_NAMES = ["with spaces in name", "ünïcødé – модель 模型", "x" * 200 + " long"]


@pytest.fixture(scope="module")
def seeded(mlflow_server: MlflowServer) -> MlflowServer:
    client = client_for(mlflow_server.url)
    for name in ODD_NAMES:
        make_model(client, name, 2, aliases={"champion": 2})
    make_model(client, "gw-batched", 250, n_params=5, n_metrics=3)
    return mlflow_server


@pytest.fixture
def proxy(seeded: MlflowServer) -> Iterator[CountingProxy]:
    p = CountingProxy(seeded.port).start()
    yield p
    p.stop()


def gateway(url: str) -> RegistryGateway:
    return RegistryGateway(Profile(name="t", tracking_uri=url))


def test_odd_names_round_trip(seeded: MlflowServer) -> None:
    gw = gateway(seeded.url)
    names = {m.name for m in gw.list_models()}
    assert set(ODD_NAMES) <= names
    for name in ODD_NAMES:
        versions = gw.list_versions(name)
        assert [v.version for v in versions] == [2, 1]
        assert versions[0].aliases == ("champion",)
        runs = gw.get_runs(v.run_id for v in versions)
        assert set(runs) == {v.run_id for v in versions}
        assert runs[versions[0].run_id].params["p0"] == "10"


def test_loading_a_model_is_batched(proxy: CountingProxy) -> None:
    gw = gateway(proxy.url)
    gw.connect()
    proxy.reset_counts()
    versions = gw.list_versions("gw-batched")
    runs = gw.get_runs(v.run_id for v in versions)
    assert len(versions) == 250 and len(runs) == 250
    assert all(r.metrics and r.params for r in runs.values())
    # get model + versions pages (1,000 each) + experiments + runs in chunks of 100:
    # the count grows like N/100, never one request per version
    expected = 1 + math.ceil(250 / VERSIONS_PAGE) + 1 + math.ceil(250 / RUN_ID_CHUNK)
    assert proxy.total() == expected, proxy.counts()
    assert proxy.counts()["POST /api/2.0/mlflow/runs/search"] == math.ceil(250 / RUN_ID_CHUNK)
    assert "GET /api/2.0/mlflow/runs/get" not in proxy.counts()


def test_deleted_model_and_bad_filter(seeded: MlflowServer) -> None:
    gw = gateway(seeded.url)
    with pytest.raises(NotFound):
        gw.list_versions("no such model")
    with pytest.raises(InvalidInput):
        gw.list_models("tags.x === 'broken")


def test_closed_port_is_unreachable_quickly() -> None:
    import time

    gw = gateway(f"http://127.0.0.1:{free_port()}")
    start = time.monotonic()
    with pytest.raises(Unreachable):
        gw.ping(timeout=2)
    assert time.monotonic() - start < 10
