"""'Test connection': tell apart, in words a user understands, what is wrong with a profile.

Uses plain `requests` (no mlflow import, no retries) so it answers within seconds.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from modelhub_desktop.core.domain import Credentials, Profile, ServerInfo
from modelhub_desktop.core.errors import (
    AuthFailed,
    InvalidInput,
    NotFound,
    NotMlflowServer,
    PermissionDenied,
    TlsFailed,
    Unreachable,
)

SEARCH_MODELS = "/api/2.0/mlflow/registered-models/search"


def request_kwargs(profile: Profile, credentials: Credentials) -> dict[str, Any]:
    """Auth and TLS arguments for `requests` calls on behalf of this profile."""
    kwargs: dict[str, Any] = {}
    if profile.auth == "basic":
        kwargs["auth"] = (profile.username, credentials.password)
    elif profile.auth == "token":
        kwargs["headers"] = {"Authorization": f"Bearer {credentials.token}"}
    if profile.insecure_tls:
        kwargs["verify"] = False
    elif profile.ca_bundle:
        kwargs["verify"] = profile.ca_bundle
    return kwargs


def test_connection(
    profile: Profile, credentials: Credentials, timeout: float = 5.0
) -> ServerInfo:
    """Connect once and report the server version and model count, or raise a clear error."""
    if not profile.is_remote:
        return _test_local(profile)
    import requests
    import urllib3

    base = profile.tracking_uri.rstrip("/")
    kwargs = request_kwargs(profile, credentials)
    if profile.insecure_tls:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    session = requests.Session()
    try:
        count, token = 0, None
        while True:
            params: dict[str, Any] = {"max_results": 1000}
            if token:
                params["page_token"] = token
            resp = session.get(base + SEARCH_MODELS, params=params, timeout=timeout, **kwargs)
            _raise_for(resp)
            try:
                body = resp.json()
            except ValueError:
                raise NotMlflowServer(
                    f"{base} answered, but not with MLflow's REST API (the reply was not JSON). "
                    "Check the address: it should be the MLflow tracking server itself."
                ) from None
            if not isinstance(body, dict):
                raise NotMlflowServer(f"{base} answered, but not like an MLflow server.")
            count += len(body.get("registered_models", []))
            token = body.get("next_page_token")
            if not token:
                break
        version = "unknown"
        try:
            vresp = session.get(base + "/version", timeout=timeout, **kwargs)
            if vresp.ok and len(vresp.text) < 64:
                version = vresp.text.strip()
        except requests.RequestException:
            pass
        return ServerInfo(profile.tracking_uri, version, count)
    except requests.exceptions.SSLError:
        hint = ("Set the CA bundle that signed the server's certificate"
                if not profile.ca_bundle else "Check that the CA bundle matches the server")
        raise TlsFailed(
            f"TLS verification failed for {base}. {hint}, or tick “Skip TLS verification” "
            "if you trust this network."
        ) from None
    except requests.exceptions.Timeout:
        raise Unreachable(f"{base} did not answer within {timeout:.0f} s.") from None
    except requests.exceptions.ConnectionError:
        raise Unreachable(
            f"Cannot connect to {base}: nothing is listening there, or the host name is wrong."
        ) from None
    finally:
        session.close()


def _raise_for(resp: Any) -> None:
    if resp.status_code == 401:
        raise AuthFailed("The server rejected the credentials (HTTP 401): check the user name "
                         "and password, or the token.")
    if resp.status_code == 403:
        raise PermissionDenied("Signed in, but this account may not read the model registry "
                               "(HTTP 403).")
    if resp.status_code in (404, 405):
        raise NotMlflowServer(f"{resp.url.split('/api/')[0]} answered HTTP {resp.status_code} "
                              "for MLflow's registry API: it is not an MLflow tracking server.")
    if resp.status_code >= 500:
        raise Unreachable(f"The server had an internal error (HTTP {resp.status_code}).")
    if resp.status_code != 200:
        raise NotMlflowServer(f"Unexpected answer from the server (HTTP {resp.status_code}).")


def _test_local(profile: Profile) -> ServerInfo:
    uri = profile.tracking_uri
    if uri.startswith("sqlite:"):
        path = Path(unquote(urlparse(uri).path))
        if uri.startswith("sqlite:////"):
            path = Path("/" + uri[len("sqlite:////"):])
        elif uri.startswith("sqlite:///"):
            path = Path(uri[len("sqlite:///"):])
        if not path.exists():
            if path.parent.exists():
                return ServerInfo(uri, "embedded store (new, empty)", 0)
            raise NotFound(f"The folder {path.parent} does not exist.")
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
                count = conn.execute("SELECT COUNT(*) FROM registered_models").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise InvalidInput(f"{path} is not an MLflow store ({exc}).") from None
        return ServerInfo(uri, "embedded sqlite store", int(count))
    if uri.startswith("file:"):
        path = Path(unquote(urlparse(uri).path))
        if not path.exists():
            raise NotFound(f"The folder {path} does not exist.")
        models = path / "models"
        count = sum(1 for p in models.iterdir() if p.is_dir()) if models.is_dir() else 0
        return ServerInfo(uri, "file store", count)
    raise InvalidInput("Unsupported tracking URI.")
