"""Why a version's files could not be read, in words a user can act on.

MLflow reaches artifact stores through a different client per scheme (boto3 for ``s3://``,
google-cloud-storage for ``gs://``, requests for the tracking server's proxy, ...), and each
fails in its own way; worse, MLflow folds a failed download into one message whose first
line ends in a colon. This module tells apart the cases a user can do something about:
nothing at the source, the store unreachable, credentials refused, a library missing.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from modelhub_desktop.core.errors import (
    AuthFailed,
    MissingLibrary,
    ModelHubError,
    NotFound,
    PermissionDenied,
    Unreachable,
)
from modelhub_desktop.core.mlflow_errors import exception_chain, translate_error

#: Artifact URI scheme -> the pip package MLflow needs to read it.
LIBRARY_FOR_SCHEME = {
    "s3": "boto3",
    "r2": "boto3",
    "b2": "boto3",
    "gs": "google-cloud-storage",
    "wasbs": "azure-storage-blob",
    "abfss": "azure-storage-file-datalake",
    "hdfs": "pyarrow",
    "viewfs": "pyarrow",
    "sftp": "pysftp",
}

_DENIED_CODES = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
                 "InvalidToken", "AuthorizationHeaderMalformed", "403", "401"}
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}
_UNREACHABLE_NAMES = {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
                      "ConnectionClosedError", "ServiceRequestError", "TransportError"}
_NO_CREDENTIALS_NAMES = {"NoCredentialsError", "PartialCredentialsError",
                         "DefaultCredentialsError", "ClientAuthenticationError",
                         "CredentialRetrievalError"}
_WRAPPED = "The following failures occurred while downloading"


def scheme_of(uri: str) -> str:
    return urlsplit(uri).scheme.lower()


def store_name(uri: str) -> str:
    """How the store is named in messages: `the S3 bucket 'b'`, `the tracking server`, ..."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme in ("s3", "r2", "b2", "gs"):
        kind = "GCS" if scheme == "gs" else "S3"
        return f"the {kind} bucket '{parts.hostname or parts.netloc}'"
    if scheme in ("wasbs", "abfss"):
        return f"the Azure storage container '{parts.netloc}'"
    if scheme in ("http", "https", "mlflow-artifacts", "runs", "models"):
        return "the tracking server's artifact store"
    if scheme in ("", "file"):
        return "the local artifact folder"
    return f"the {scheme} artifact store"


def missing_library(uri: str, module: str = "") -> MissingLibrary:
    """The error for an artifact store whose client library is not installed."""
    scheme = scheme_of(uri)
    package = LIBRARY_FOR_SCHEME.get(scheme) or (module.split(".")[0] if module else "")
    what = f"{scheme}:// artifacts" if scheme else "these artifacts"
    return MissingLibrary(
        f"Reading {what} needs the Python package '{package or 'unknown'}', which is not "
        f"installed with this app. Install it (pip install {package or '...'}) where the app "
        "runs, or ask the server's admin to serve artifacts through the tracking server "
        "(mlflow server --serve-artifacts)."
    )


def _error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error") or {}
        return str(err.get("Code", "") or "")
    return ""


def artifact_error(exc: BaseException, uri: str) -> ModelHubError:
    """The app's error for a failure reading `uri` (a version's folder or one of its files)."""
    if isinstance(exc, ModelHubError):
        return exc
    where = store_name(uri)
    for item in exception_chain(exc):
        name = type(item).__name__
        if isinstance(item, ImportError):
            return missing_library(uri, item.name or "")
        if name in _NO_CREDENTIALS_NAMES:
            return AuthFailed(f"No usable credentials for {where}: set them the usual way "
                              "for this store (for S3: AWS_ACCESS_KEY_ID and "
                              "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE).")
        code = _error_code(item)
        if code == "NoSuchBucket":
            return NotFound(f"{_cap(where)} does not exist at this artifact store.")
        if code in _DENIED_CODES:
            return PermissionDenied(f"{_cap(where)} refused the credentials ({code}). Check "
                                    "the access key, or ask for read access to the bucket.")
        if code in _MISSING_CODES or isinstance(item, FileNotFoundError):
            return NotFound(f"No file at {uri}.")
        if name in _UNREACHABLE_NAMES:
            how = "no answer in time" if "Timeout" in name else "connection failed"
            return Unreachable(f"Cannot reach {where}{_at_endpoint(item)}: {how}.")
    text = str(exc)
    if _WRAPPED in text:
        return _from_text(text[text.find("#####"):] if "#####" in text else text, uri, where)
    err = translate_error(exc, f" reading files from {where}")
    if type(err) is ModelHubError:  # not recognised: keep the whole message, not a first line
        return ModelHubError(f"Could not read files from {where}: {_one_line(text)}")
    return err


def _from_text(details: str, uri: str, where: str) -> ModelHubError:
    """MLflow's folded download failure: only the text of the inner errors survives."""
    inner = _one_line(re.sub(r"#####\s*File\s+\S+\s*#####", " ", details))
    module = re.search(r"No module named '([\w.]+)'", inner)
    if module:
        return missing_library(uri, module.group(1))
    if re.search(r"\b401\b|Unauthorized|UNAUTHENTICATED", inner):
        return AuthFailed(f"{_cap(where)} rejected the credentials (HTTP 401). "
                          "Check user and password.")
    if re.search(r"\b403\b|AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden",
                 inner):
        return PermissionDenied(f"{_cap(where)} refused access (HTTP 403).")
    if re.search(r"\b404\b|NoSuchKey|Not Found|No such file|does not exist|"
                 r"RESOURCE_DOES_NOT_EXIST", inner):
        return NotFound(f"No file at {uri}.")
    if re.search(r"Connection refused|Could not connect|Max retries exceeded|timed out|"
                 r"Name or service not known|Failed to establish", inner):
        return Unreachable(f"Cannot reach {where}.")
    return ModelHubError(f"Could not read files from {where}: {inner}")


def _at_endpoint(exc: BaseException) -> str:
    """` at scheme://host:port` of the endpoint a botocore connection error names, if any."""
    kwargs = getattr(exc, "kwargs", None)
    url = str(kwargs.get("endpoint_url", "")) if isinstance(kwargs, dict) else ""
    parts = urlsplit(url)
    return f" at {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _one_line(text: str, limit: int = 600) -> str:
    """All of a (multi-line) message on one line, shortened only if very long."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
