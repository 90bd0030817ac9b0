"""Versions whose files were never logged, or were deleted later, on a real server: the
schema is unknown and the detail says why, in full."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import NotFound
from modelhub_desktop.core.lineage import download_version_artifacts, version_lineage
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import client_for
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

MODEL = "model with missing files"
MLMODEL = "flavors:\n  python_function: {}\n"


@pytest.fixture(scope="module")
def versions(mlflow_server: MlflowServer) -> dict[str, int]:
    """v1: never logged; v2: logged, then its folder deleted; v3: logged and kept."""
    client = client_for(mlflow_server.url)
    client.create_registered_model(MODEL)
    exp = client.create_experiment("missing-files")
    for number in (1, 2, 3):
        run = client.create_run(exp)
        if number > 1:
            client.log_text(run.info.run_id, MLMODEL, "model/MLmodel")
        client.create_model_version(MODEL, f"{run.info.artifact_uri}/model", run.info.run_id,
                                    await_creation_for=0)
        if number == 2:
            folder = run.info.artifact_uri + "/model"
            shutil.rmtree(Path(urlsplit(folder).path if "://" in folder else folder))
    return {"never": 1, "deleted": 2, "kept": 3}


@pytest.mark.parametrize("kind", ["never", "deleted"])
def test_missing_mlmodel_is_said_in_full(mlflow_server: MlflowServer,
                                         versions: dict[str, int], kind: str,
                                         tmp_path: Path) -> None:
    gw = RegistryGateway(Profile("t", mlflow_server.url))
    version = next(v for v in gw.list_versions(MODEL) if v.version == versions[kind])
    lineage = version_lineage(gw, version)
    assert not lineage.schema_known and lineage.inputs == ()
    assert lineage.problems == (
        f"Schema unknown: there is no MLmodel file at {version.source}. The model's files "
        "were never logged there, or they have been deleted.",)
    with pytest.raises(NotFound, match="never logged there, or they have been deleted"):
        download_version_artifacts(gw, version, tmp_path)


def test_files_present_but_no_signature(mlflow_server: MlflowServer,
                                        versions: dict[str, int]) -> None:
    gw = RegistryGateway(Profile("t", mlflow_server.url))
    version = next(v for v in gw.list_versions(MODEL) if v.version == versions["kept"])
    lineage = version_lineage(gw, version)
    assert lineage.schema_known and lineage.flavors == ("python_function",)
    assert lineage.problems == ("This model was logged without a signature.",)
