"""Versions whose files live in S3 (an S3-compatible server: moto), registered on a real
`mlflow server` that hands out `s3://` URIs: schema, lineage and download work with the
profile's S3 endpoint and the usual AWS credential variables; stores whose library is not
installed are named."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelhub_desktop.core.domain import ModelVersion, Profile
from modelhub_desktop.core.errors import MissingLibrary, NotFound
from modelhub_desktop.core.lineage import download_version_artifacts, version_lineage
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import client_for
from tests.servers import MlflowServer, MotoS3Server, free_port

pytestmark = pytest.mark.e2e

BUCKET = "team-models"
MODEL = "s3 model ü"
MLMODEL = """artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    python_version: 3.11.7
signature:
  inputs: '[{"type": "double", "name": "age", "required": true},
    {"type": "string", "name": "city", "required": false}]'
  outputs: '[{"type": "double", "required": true}]'
"""


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoS3Server]:
    """The S3 server, with the usual AWS variables set for this module's tests (and no
    process-wide MLFLOW_S3_ENDPOINT_URL: the app must take the endpoint from the profile)."""
    server = MotoS3Server(tmp_path_factory.mktemp("moto")).start()
    try:
        with pytest.MonkeyPatch.context() as mp:
            for key, value in server.aws_env().items():
                mp.setenv(key, value)
            mp.delenv("MLFLOW_S3_ENDPOINT_URL", raising=False)
            server.create_bucket(BUCKET)
            yield server
    finally:
        server.stop()


def _write_model(folder: Path) -> Path:
    (folder / "code").mkdir(parents=True, exist_ok=True)
    (folder / "MLmodel").write_text(MLMODEL, encoding="utf-8")
    (folder / "weights.txt").write_text("weights ü", encoding="utf-8")
    (folder / "code" / "predict.py").write_text("print('hi')\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def s3_versions(mlflow_server: MlflowServer, s3: MotoS3Server,
                tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """Version 1: files logged to its run's `s3://` folder. Version 2: an MLflow 3 logged
    model whose files are in S3. Version 3: an `s3://` source where nothing was logged."""
    client = client_for(mlflow_server.url)
    files = _write_model(tmp_path_factory.mktemp("model-files"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_S3_ENDPOINT_URL", s3.url)  # the writer's side only
        exp = client.create_experiment("s3-artifacts", artifact_location=f"s3://{BUCKET}/exp")
        client.create_registered_model(MODEL)
        run = client.create_run(exp)
        assert run.info.artifact_uri.startswith(f"s3://{BUCKET}/")
        client.log_artifacts(run.info.run_id, str(files), "model")
        client.log_metric(run.info.run_id, "rmse", 0.25)
        client.create_model_version(MODEL, f"{run.info.artifact_uri}/model", run.info.run_id,
                                    await_creation_for=0)
        logged = client.create_logged_model(exp, name="s3-logged")
        client.log_model_artifacts(logged.model_id, str(files))
        client.finalize_logged_model(logged.model_id, "READY")
        client.create_model_version(MODEL, f"models:/{logged.model_id}",
                                    model_id=logged.model_id, await_creation_for=0)
        empty = client.create_run(exp)
        client.create_model_version(MODEL, f"{empty.info.artifact_uri}/model",
                                    empty.info.run_id, await_creation_for=0)
    return {"run": 1, "logged": 2, "empty": 3}


def _gateway(server: MlflowServer, endpoint: str) -> RegistryGateway:
    return RegistryGateway(Profile("s3 team", server.url, s3_endpoint_url=endpoint))


def _version(gw: RegistryGateway, number: int) -> ModelVersion:
    return next(v for v in gw.list_versions(MODEL) if v.version == number)


@pytest.mark.parametrize("kind", ["run", "logged"])
def test_schema_lineage_and_download_from_s3(
    mlflow_server: MlflowServer, s3: MotoS3Server, s3_versions: dict[str, int],
    kind: str, tmp_path: Path,
) -> None:
    gw = _gateway(mlflow_server, s3.url)
    version = _version(gw, s3_versions[kind])

    lineage = version_lineage(gw, version)
    assert lineage.schema_known and lineage.problems == ()
    assert [(c.name, c.type, c.required) for c in lineage.inputs] == [
        ("age", "double", True), ("city", "string", False)]
    assert [c.type for c in lineage.outputs] == ["double"]
    assert lineage.flavors == ("python_function",)
    if kind == "logged":
        assert lineage.logged_model_name == "s3-logged"
        assert lineage.artifact_location.startswith(f"s3://{BUCKET}/exp/")
    else:
        assert version.source.startswith(f"s3://{BUCKET}/exp/")

    saved = download_version_artifacts(gw, version, tmp_path)
    got = sorted(str(p.relative_to(saved)) for p in saved.rglob("*") if p.is_file())
    assert got == ["MLmodel", "code/predict.py", "weights.txt"]
    assert (saved / "weights.txt").read_text(encoding="utf-8") == "weights ü"


def test_nothing_logged_at_the_s3_source_says_so(
    mlflow_server: MlflowServer, s3: MotoS3Server, s3_versions: dict[str, int],
    tmp_path: Path,
) -> None:
    gw = _gateway(mlflow_server, s3.url)
    version = _version(gw, s3_versions["empty"])
    lineage = version_lineage(gw, version)
    assert not lineage.schema_known
    assert lineage.schema_problem == (
        f"Schema unknown: there is no MLmodel file at {version.source}. The model's files "
        "were never logged there, or they have been deleted.")
    assert lineage.problems == (lineage.schema_problem,)
    with pytest.raises(NotFound, match="never logged there"):
        download_version_artifacts(gw, version, tmp_path)


def test_endpoint_is_per_profile(
    mlflow_server: MlflowServer, s3: MotoS3Server, s3_versions: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A profile whose S3 endpoint is down says the store cannot be reached; the profile
    with the right endpoint, used next, is not affected by it."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # no retry backoff against a closed port
    dead = _gateway(mlflow_server, f"http://127.0.0.1:{free_port()}")
    version = _version(dead, s3_versions["run"])
    lineage = version_lineage(dead, version)
    assert not lineage.schema_known
    assert lineage.schema_problem.startswith(
        "Schema unknown: the artifact store cannot be reached. Cannot reach the S3 bucket "
        f"'{BUCKET}'")
    good = version_lineage(_gateway(mlflow_server, s3.url), version)
    assert good.schema_known and [c.name for c in good.inputs] == ["age", "city"]


@pytest.mark.parametrize(("source", "module", "package"), [
    ("gs://team-models/exp/1/artifacts/model", "google.cloud.storage", "google-cloud-storage"),
    ("wasbs://models@teamstore.blob.core.windows.net/exp/1/model", "azure.storage.blob",
     "azure-storage-blob"),
])
def test_missing_storage_library_is_named(
    mlflow_server: MlflowServer, source: str, module: str, package: str, tmp_path: Path,
) -> None:
    try:
        installed = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        installed = False
    if installed:
        pytest.skip(f"{package} is installed here")
    client = client_for(mlflow_server.url)
    name = f"cloud model {package}"
    client.create_registered_model(name)
    client.create_model_version(name, source, await_creation_for=0)
    gw = RegistryGateway(Profile("cloud", mlflow_server.url))
    [version] = gw.list_versions(name)

    lineage = version_lineage(gw, version)
    assert not lineage.schema_known
    scheme = source.split(":", 1)[0]
    assert lineage.schema_problem.startswith(
        f"Schema unknown: Reading {scheme}:// artifacts needs the Python package "
        f"'{package}', which is not installed")
    with pytest.raises(MissingLibrary, match=f"'{package}'"):
        download_version_artifacts(gw, version, tmp_path)
