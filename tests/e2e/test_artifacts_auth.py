"""A version's files on a server with authentication: schema and download use the profile's
own credentials (from the keychain), not MLflow's environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.lineage import download_version_artifacts, version_lineage
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import as_admin, client_for, new_user
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

MODEL = "guarded model ü"
MLMODEL = """artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    python_version: 3.11.7
signature:
  inputs: '[{"type": "double", "name": "sepal length", "required": true},
    {"type": "double", "name": "petal width", "required": true}]'
  outputs: '[{"type": "long", "required": true}]'
"""


@pytest.fixture
def reader(basic_auth_server: MlflowServer) -> tuple[str, str]:
    """A read-only user, and a version whose files sit behind the server's authentication."""
    with as_admin():
        user, password = new_user(basic_auth_server.url, "auditor")
        client = client_for(basic_auth_server.url)
        if not client.search_registered_models(f"name = '{MODEL}'"):
            client.create_registered_model(MODEL)
            run = client.create_run(client.create_experiment(f"guarded-{user}"))
            assert run.info.artifact_uri.startswith("mlflow-artifacts:")
            rid = run.info.run_id
            client.log_text(rid, MLMODEL, "model/MLmodel")
            client.log_text(rid, "weights ü", "model/weights.txt")
            client.create_model_version(MODEL, f"{run.info.artifact_uri}/model", rid,
                                        await_creation_for=0)
    return user, password


def test_schema_and_download_use_the_profile_credentials(
    basic_auth_server: MlflowServer, reader: tuple[str, str], tmp_path: Path
) -> None:
    user, password = reader
    profile = Profile("auditor", basic_auth_server.url, auth="basic", username=user)
    gw = RegistryGateway(profile, Credentials(password=password))
    [version] = gw.list_versions(MODEL)

    lineage = version_lineage(gw, version)
    assert lineage.problems == ()
    assert [c.name for c in lineage.inputs] == ["sepal length", "petal width"]
    assert lineage.flavors == ("python_function",)

    saved = download_version_artifacts(gw, version, tmp_path)
    assert sorted(p.name for p in saved.iterdir()) == ["MLmodel", "weights.txt"]
    assert (saved / "weights.txt").read_text(encoding="utf-8") == "weights ü"


def test_wrong_password_reads_no_files(basic_auth_server: MlflowServer,
                                       reader: tuple[str, str]) -> None:
    user, password = reader
    good = RegistryGateway(Profile("auditor", basic_auth_server.url, auth="basic",
                                   username=user), Credentials(password=password))
    [version] = good.list_versions(MODEL)
    other = Profile("wrong", basic_auth_server.url + "/", auth="basic", username=user)
    wrong = RegistryGateway(other, Credentials(password=password + "x"))
    wrong.connect()  # the server's origin now carries the wrong password
    lineage = version_lineage(wrong, version)
    assert lineage.inputs == ()
    assert "rejected the credentials (HTTP 401)" in " ".join(lineage.problems)
    good.connect()
