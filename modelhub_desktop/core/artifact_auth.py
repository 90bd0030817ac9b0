"""The profile's credentials for files served through the tracking server.

MLflow's artifact client (`mlflow.artifacts`, used for a version's MLmodel file and for
"Download artifacts…") takes its credentials from MLFLOW_TRACKING_* environment variables,
not from the client that asked. A profile's password lives in the keychain, never in the
environment, so against a server with authentication those requests would go out without
it. MLflow's hook for the credentials of an `mlflow-artifacts` request is looked up here
by origin (scheme, host and port): requests to a server a connected profile talks to carry
that profile's credentials; anything else keeps MLflow's behaviour.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

_lock = threading.Lock()
_by_origin: dict[str, Any] = {}  # origin -> MlflowHostCreds of the profile using it


def origin(uri: str) -> str:
    """`scheme://host:port` of a URI, lower-case, without user info or path."""
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme.lower()}://{host}{port}"


def register(tracking_uri: str, host_creds: Any) -> None:
    """Send `host_creds` with artifact requests to the server at `tracking_uri`."""
    with _lock:
        _by_origin[origin(tracking_uri)] = host_creds
    _install()


def credentials_for(uri: str, fallback: Any) -> Any:
    """The registered credentials for `uri`'s server (with `uri` as host), else `fallback(uri)`."""
    with _lock:
        mine = _by_origin.get(origin(uri))
    if mine is None:
        return fallback(uri)
    from mlflow.utils.rest_utils import MlflowHostCreds

    return MlflowHostCreds(
        host=uri,
        username=mine.username,
        password=mine.password,
        token=mine.token,
        ignore_tls_verification=mine.ignore_tls_verification,
        server_cert_path=mine.server_cert_path,
    )


def _install() -> None:
    """Route MLflow's artifact-credential lookups through `credentials_for` (once each)."""
    from mlflow.store.artifact import http_artifact_repo, mlflow_artifacts_repo

    for module in (http_artifact_repo, mlflow_artifacts_repo):
        current = getattr(module, "get_default_host_creds")  # noqa: B009 - both modules have it
        if getattr(current, "_modelhub_profiles", False):
            continue

        def lookup(uri: str, fallback: Any = current) -> Any:
            return credentials_for(uri, fallback)

        lookup._modelhub_profiles = True  # type: ignore[attr-defined]
        module.get_default_host_creds = lookup  # type: ignore[attr-defined]
