"""Failures reading a version's files become reasons in words, one kind per thing a user
can do about it. The exceptions are the real ones each storage client raises."""

from __future__ import annotations

import pytest

from modelhub_desktop.core.artifact_errors import artifact_error, missing_library, store_name
from modelhub_desktop.core.errors import (
    AuthFailed,
    MissingLibrary,
    ModelHubError,
    NotFound,
    PermissionDenied,
    Unreachable,
)

S3 = "s3://team-models/exp/1/artifacts/model"


def _client_error(code: str, message: str = "boom") -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message}}, "ListObjectsV2")


def _raised_from(inner: Exception, outer: Exception) -> Exception:
    """`outer` raised while handling `inner`, as MLflow's S3 repository does."""
    try:
        try:
            raise inner
        except Exception:
            raise outer  # noqa: B904 - the implicit context is what is tested
    except Exception as exc:  # noqa: BLE001
        return exc


def test_store_names() -> None:
    assert store_name(S3) == "the S3 bucket 'team-models'"
    assert store_name("gs://b/x") == "the GCS bucket 'b'"
    assert store_name("mlflow-artifacts:/1/x") == "the tracking server's artifact store"
    assert store_name("/tmp/mlruns/1") == "the local artifact folder"


@pytest.mark.parametrize(("uri", "package"), [
    (S3, "boto3"),
    ("gs://b/x", "google-cloud-storage"),
    ("wasbs://c@acct.blob.core.windows.net/x", "azure-storage-blob"),
    ("abfss://c@acct.dfs.core.windows.net/x", "azure-storage-file-datalake"),
])
def test_missing_library_names_the_package(uri: str, package: str) -> None:
    err = artifact_error(ModuleNotFoundError("No module named 'x'", name="x"), uri)
    assert isinstance(err, MissingLibrary)
    scheme = uri.split(":", 1)[0]
    assert str(err).startswith(f"Reading {scheme}:// artifacts needs the Python package "
                               f"'{package}', which is not installed")
    assert f"pip install {package}" in str(err)


def test_missing_library_for_an_unknown_scheme_names_the_module() -> None:
    assert "'pysmb'" in str(missing_library("smb://host/share", "pysmb.SMBConnection"))


def test_s3_client_errors() -> None:
    from mlflow.exceptions import MlflowException

    wrapped = _raised_from(_client_error("NoSuchBucket", "The specified bucket does not exist"),
                           MlflowException("Failed to list artifacts in s3://x: The specified "
                                           "bucket does not exist"))
    err = artifact_error(wrapped, S3)
    assert isinstance(err, NotFound)
    assert str(err) == "The S3 bucket 'team-models' does not exist at this artifact store."

    for code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
        err = artifact_error(_client_error(code), S3)
        assert isinstance(err, PermissionDenied)
        assert str(err).startswith(f"The S3 bucket 'team-models' refused the credentials ({code})")

    assert isinstance(artifact_error(_client_error("NoSuchKey"), S3), NotFound)


def test_s3_without_credentials_or_endpoint() -> None:
    from botocore.exceptions import EndpointConnectionError, NoCredentialsError

    err = artifact_error(NoCredentialsError(), S3)
    assert isinstance(err, AuthFailed)
    assert "AWS_ACCESS_KEY_ID" in str(err)

    down = EndpointConnectionError(endpoint_url="http://127.0.0.1:9/team-models?list-type=2")
    err = artifact_error(down, S3)
    assert isinstance(err, Unreachable)
    assert str(err) == ("Cannot reach the S3 bucket 'team-models' at http://127.0.0.1:9: "
                        "connection failed.")


FOLDED = ("The following failures occurred while downloading one or more artifacts from "
          "s3://team-models/exp/1/artifacts/model:\n##### File MLmodel #####\n{inner}")


@pytest.mark.parametrize(("inner", "kind", "words"), [
    ("No module named 'google'", MissingLibrary, "'boto3'"),
    ("401 Client Error: UNAUTHORIZED for url: http://h/x", AuthFailed, "HTTP 401"),
    ("An error occurred (403) when calling the HeadObject operation: Forbidden",
     PermissionDenied, "HTTP 403"),
    ("An error occurred (404) when calling the HeadObject operation: Not Found", NotFound,
     "No file at"),
    ("HTTPConnectionPool(host='h', port=1): Max retries exceeded (Connection refused)",
     Unreachable, "Cannot reach the S3 bucket"),
])
def test_mlflow_folded_download_failures(inner: str, kind: type, words: str) -> None:
    from mlflow.exceptions import MlflowException

    err = artifact_error(MlflowException(FOLDED.format(inner=inner)), S3)
    assert type(err) is kind
    assert words in str(err)
    assert not str(err).endswith(":")


def test_unrecognised_failures_keep_the_whole_message() -> None:
    from mlflow.exceptions import MlflowException

    err = artifact_error(MlflowException(FOLDED.format(inner="Disk quota\nexceeded on host")),
                         S3)
    assert type(err) is ModelHubError
    assert str(err) == ("Could not read files from the S3 bucket 'team-models': "
                        "Disk quota exceeded on host")
    err = artifact_error(RuntimeError("first line:\nsecond line"), "gs://b/x")
    assert str(err) == "Could not read files from the GCS bucket 'b': first line: second line"


def test_local_and_http_failures() -> None:
    import requests

    assert isinstance(artifact_error(FileNotFoundError(2, "No such file"), "/tmp/x"), NotFound)
    err = artifact_error(requests.exceptions.ConnectionError("Connection refused"),
                         "mlflow-artifacts:/1/x")
    assert isinstance(err, Unreachable)
    same = NotFound("already an app error")
    assert artifact_error(same, S3) is same
