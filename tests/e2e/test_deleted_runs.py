"""Versions whose source run (or its whole experiment) was deleted on a real server still
come with their run's metrics, marked deleted, through the gateway and the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.lineage import mlflow_ui_url
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.core.sync import cached_versions, refresh_versions
from tests.builders import client_for
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

MODEL = "model with deleted runs"


@pytest.fixture(scope="module")
def deleted(mlflow_server: MlflowServer) -> dict[int, str]:
    """v1: live run; v2: run deleted; v3: run whose experiment was deleted."""
    client = client_for(mlflow_server.url)
    client.create_registered_model(MODEL)
    runs: dict[int, str] = {}
    kept = client.create_experiment("deleted-runs kept")
    doomed = client.create_experiment("deleted-runs doomed")
    for number, exp in ((1, kept), (2, kept), (3, doomed)):
        run = client.create_run(exp, run_name=f"run-{number}")
        client.log_metric(run.info.run_id, "accuracy", 0.9 + number / 100)
        client.log_param(run.info.run_id, "depth", str(number))
        client.set_terminated(run.info.run_id)
        client.create_model_version(MODEL, f"{run.info.artifact_uri}/model", run.info.run_id,
                                    await_creation_for=0)
        runs[number] = run.info.run_id
    client.delete_run(runs[2])
    client.delete_experiment(doomed)
    return runs


def test_deleted_runs_keep_their_data(mlflow_server: MlflowServer,
                                      deleted: dict[int, str]) -> None:
    profile = Profile("t", mlflow_server.url)
    gw = RegistryGateway(profile)
    versions = {v.version: v for v in gw.list_versions(MODEL)}
    runs = gw.get_runs(v.run_id for v in versions.values())
    assert set(runs) == set(deleted.values())
    for number, run_id in deleted.items():
        run = runs[run_id]
        assert run.metrics == {"accuracy": pytest.approx(0.9 + number / 100)}
        assert run.params == {"depth": str(number)}
        assert run.deleted is (number != 1)
        assert (mlflow_ui_url(profile, run) == "") is (number != 1)
    assert runs[deleted[3]].experiment_name == "deleted-runs doomed"


def test_deleted_mark_survives_the_cache(mlflow_server: MlflowServer,
                                         deleted: dict[int, str], tmp_path: Path) -> None:
    gw = RegistryGateway(Profile("t", mlflow_server.url))
    cache = MetadataCache(tmp_path / "cache.db")
    try:
        refresh_versions(gw, cache, MODEL)
        snapshot = cached_versions(cache, MODEL)
        marks = {v.version: snapshot.runs[v.run_id].deleted for v in snapshot.versions}
        assert marks == {1: False, 2: True, 3: True}
        assert snapshot.runs[deleted[2]].metrics["accuracy"] == pytest.approx(0.92)
    finally:
        cache.close()
