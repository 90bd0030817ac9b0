"""Build registry content on a real server quickly (no model artifacts needed)."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from modelhub_desktop.core.registry import quote


def client_for(url: str) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=url, registry_uri=url)


@contextmanager
def as_admin() -> Iterator[None]:
    """MLflow calls inside run as the basic-auth server's admin (MLflow reads the user from
    its environment variables); the variables are as before afterwards."""
    from tests.servers import ADMIN_PASSWORD, ADMIN_USER

    keys = {"MLFLOW_TRACKING_USERNAME": ADMIN_USER, "MLFLOW_TRACKING_PASSWORD": ADMIN_PASSWORD}
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(keys)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def new_user(server_url: str, prefix: str) -> tuple[str, str]:
    """A new user with a random password on a basic-auth server (call `as_admin`)."""
    from mlflow.server import get_app_client

    user = f"{prefix}-{secrets.token_hex(3)}"
    password = f"pw-{secrets.token_urlsafe(18)}"
    get_app_client("basic-auth", tracking_uri=server_url).create_user(user, password)
    return user, password


def make_model(
    client: Any,
    name: str,
    n_versions: int,
    n_params: int = 3,
    n_metrics: int = 2,
    experiment: str | None = None,
    aliases: dict[str, int] | None = None,
    history_steps: int = 0,
    workers: int = 4,
) -> list[str]:
    """Create `name` with `n_versions` versions, each from its own run. Returns run ids."""
    from mlflow.entities import Metric, Param

    exp_name = experiment or f"exp-{name}"
    exp = client.get_experiment_by_name(exp_name)
    exp_id = exp.experiment_id if exp else client.create_experiment(exp_name)
    if not client.search_registered_models(f"name = {quote(name)}"):
        client.create_registered_model(name, description=f"Model {name}")
    now = int(time.time() * 1000)

    def one_run(i: int) -> tuple[str, str]:
        run = client.create_run(exp_id, run_name=f"run-{i}")
        rid = run.info.run_id
        params = [Param(f"p{j}", str(i * 10 + j)) for j in range(n_params)]
        metrics = [Metric(f"m{j}", float(i) / (j + 1), now, 0) for j in range(n_metrics)]
        for step in range(1, history_steps):
            metrics += [Metric(f"m{j}", float(i + step) / (j + 1), now + step, step)
                        for j in range(n_metrics)]
        for start in range(0, max(len(metrics), 1), 1000):
            client.log_batch(rid, metrics=metrics[start : start + 1000],
                             params=params if start == 0 else [])
        return rid, run.info.artifact_uri

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        created = list(pool.map(one_run, range(n_versions)))
    # versions are numbered in creation order: register them one by one, in order
    run_ids = []
    for rid, artifact_uri in created:
        _create_version(client, name, f"{artifact_uri}/model", rid)
        run_ids.append(rid)
    for alias, version in (aliases or {}).items():
        client.set_registered_model_alias(name, alias, str(version))
    return run_ids


def _create_version(client: Any, name: str, source: str, run_id: str) -> None:
    """Create a model version without MlflowClient's poll-until-READY wait."""
    url = client._registry_uri.rstrip("/") + "/api/2.0/mlflow/model-versions/create"
    resp = _session().post(url, json={"name": name, "source": source, "run_id": run_id}, timeout=30)
    resp.raise_for_status()


_SESSION: Any = None


def _session() -> Any:
    global _SESSION
    if _SESSION is None:
        import requests

        _SESSION = requests.Session()
    return _SESSION
