"""'Test connection': tell apart, in words a user understands, what is wrong with a profile.

Uses plain `requests` (no mlflow import, no retries) so it answers within `timeout`
seconds. Error messages never contain the password or token.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from modelhub_desktop.core.domain import Credentials, Profile, ServerInfo
from modelhub_desktop.core.errors import (
    AuthFailed,
    InvalidInput,
    NotFound,
    NotMlflowServer,
    PermissionDenied,
    ServerError,
    TlsFailed,
    Unreachable,
)
from modelhub_desktop.core.tracking_uri import local_file_path, sqlite_path, validate_tracking_uri

SEARCH_MODELS = "/api/2.0/mlflow/registered-models/search"
PAGE_SIZE = 1000
#: `ServerInfo.server_version` values for stores that are not servers.
EMBEDDED_STORE = "embedded sqlite store"
NEW_EMBEDDED_STORE = "new embedded sqlite store (created on first use)"
FILE_STORE = "file store"


def request_kwargs(profile: Profile, credentials: Credentials) -> dict[str, Any]:
    """Auth and TLS arguments for `requests` calls on behalf of this profile.

    Basic auth is sent UTF-8 encoded (RFC 7617); a token is stripped of surrounding
    whitespace (pasted tokens often end in a newline). A secret that cannot go into an
    HTTP header raises InvalidInput without repeating it.
    """
    kwargs: dict[str, Any] = {}
    if profile.auth == "basic":
        kwargs["auth"] = (
            profile.username.encode("utf-8"),
            credentials.password.encode("utf-8"),
        )
    elif profile.auth == "token":
        token = credentials.token.strip()
        if any(ord(ch) < 0x21 or ord(ch) > 0x7E for ch in token):
            raise InvalidInput(
                "The token contains spaces, line breaks or non-ASCII characters, which cannot "
                "be sent to the server. Paste it again."
            )
        kwargs["headers"] = {"Authorization": f"Bearer {token}"}
    if profile.insecure_tls:
        kwargs["verify"] = False
    elif profile.ca_bundle:
        kwargs["verify"] = profile.ca_bundle
    return kwargs


def test_connection(profile: Profile, credentials: Credentials, timeout: float = 5.0) -> ServerInfo:
    """Connect once and report the server version and model count, or raise a clear error.

    Raises Unreachable (refused, DNS, timeout), TlsFailed, AuthFailed (401),
    PermissionDenied (403), NotMlflowServer (answers, but no MLflow REST API), ServerError
    (5xx), InvalidInput / NotFound (bad address, missing local store).
    """
    validate_tracking_uri(profile.tracking_uri)
    if not profile.is_remote:
        return _test_local(profile)
    import requests

    # the registry is what this app reads: its own server when MLFLOW_REGISTRY_URI says so
    registry = profile.registry_uri.strip()
    base = (registry if registry.startswith(("http://", "https://")) else
            profile.tracking_uri.strip()).rstrip("/")
    shown = _origin(base)
    if profile.ca_bundle and not profile.insecure_tls and not os.path.exists(profile.ca_bundle):
        raise InvalidInput(f"The CA bundle file {profile.ca_bundle} does not exist.")
    kwargs = request_kwargs(profile, credentials)
    deadline = time.monotonic() + timeout

    def budget() -> float:
        left = deadline - time.monotonic()
        if left <= 0.05:
            raise requests.exceptions.Timeout()
        return left

    if profile.insecure_tls:  # the user chose it; urllib3 would warn on every request
        import urllib3

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    session = requests.Session()  # honours HTTP(S)_PROXY / NO_PROXY like MLflow does
    try:
        count, token = 0, None
        while True:
            params: dict[str, Any] = {"max_results": PAGE_SIZE}
            if token:
                params["page_token"] = token
            resp = session.get(base + SEARCH_MODELS, params=params, timeout=budget(), **kwargs)
            body = _mlflow_json(resp, base)
            models = body.get("registered_models", [])
            count += len(models) if isinstance(models, list) else 0
            token = body.get("next_page_token")
            if not token:
                break
        version = "unknown version"
        try:
            vresp = session.get(base + "/version", timeout=min(budget(), 2.0), **kwargs)
            text = vresp.text.strip()
            if vresp.ok and 0 < len(text) < 64 and "<" not in text:
                version = text
        except requests.RequestException:
            pass  # the count already proved it is MLflow; the version is a bonus
        return ServerInfo(profile.tracking_uri, version, count)
    except requests.exceptions.SSLError as exc:
        raise TlsFailed(_tls_sentence(exc, profile, shown)) from None
    except requests.exceptions.ProxyError:
        raise Unreachable(
            f"Cannot reach {shown} through the HTTP proxy set in the environment "
            "(HTTPS_PROXY / HTTP_PROXY); check the proxy or add the host to NO_PROXY."
        ) from None
    except requests.exceptions.Timeout:
        raise Unreachable(
            f"{shown} did not answer within {timeout:g} s: the server is down, overloaded, "
            "or a firewall drops the connection."
        ) from None
    except requests.exceptions.ConnectionError as exc:
        raise Unreachable(_connection_sentence(exc, shown)) from None
    except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema):
        raise InvalidInput(f"{shown} is not a valid server address.") from None
    except requests.exceptions.InvalidHeader:
        raise InvalidInput(
            "The user name, password or token contains characters that cannot be sent to "
            "the server."
        ) from None
    except requests.exceptions.RequestException as exc:
        raise Unreachable(
            f"The connection to {shown} broke while reading its answer ({type(exc).__name__})."
        ) from None
    except OSError as exc:  # e.g. an unreadable CA bundle
        raise InvalidInput(
            f"Could not prepare the connection to {shown}: {exc.strerror or type(exc).__name__}."
        ) from None
    finally:
        session.close()


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def _mlflow_json(resp: Any, base: str) -> dict[str, Any]:
    """The JSON body of an MLflow answer, or the error that says what the answer means."""
    shown = _origin(base)
    status = resp.status_code
    if status == 401:
        raise AuthFailed(
            f"{shown} rejected the credentials (HTTP 401): check the user name and password, "
            "or the token."
        )
    if status == 403:
        raise PermissionDenied(
            f"Signed in to {shown}, but this account may not read the model registry (HTTP 403)."
        )
    if status in (404, 405):
        raise NotMlflowServer(
            f"{shown} answered, but has no MLflow REST API at {_path(base) or '/'} "
            f"(HTTP {status}): it is not an MLflow tracking server. If MLflow is served under "
            "a sub-path, include it in the address."
        )
    if status == 429 or status >= 500:
        raise ServerError(
            f"{shown} is reachable but answered with an error (HTTP {status}): the server is "
            "overloaded or misconfigured. Try again later."
        )
    try:
        body = resp.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        redirected = ""
        if resp.history:
            target = _origin(resp.url) + _path(resp.url)
            redirected = f" It redirected to {target}, which may be a sign-in page."
        kind = "a web page" if "html" in resp.headers.get("Content-Type", "") else "not JSON"
        raise NotMlflowServer(
            f"{shown} answered, but not with MLflow's REST API (the reply was {kind}).{redirected} "
            "Check the address: it should be the MLflow tracking server itself."
        )
    if status != 200:
        code = body.get("error_code")
        if isinstance(code, str) and code:
            raise NotMlflowServer(
                f"{shown} looks like MLflow but refused the registry search (HTTP {status}, "
                f"{code[:60]})."
            )
        raise NotMlflowServer(f"Unexpected answer from {shown} (HTTP {status}).")
    if set(body) - {"registered_models", "next_page_token"}:
        raise NotMlflowServer(
            f"{shown} answered with JSON that is not MLflow's registered-model search."
        )
    return body


def _tls_sentence(exc: BaseException, profile: Profile, shown: str) -> str:
    text = str(exc)
    if (
        "WRONG_VERSION_NUMBER" in text
        or "record layer failure" in text
        or ("packet length too long" in text)
    ):
        return (
            f"{shown} does not speak TLS on this port: the address may need http:// instead of "
            "https://. A CA bundle or skipping verification will not help."
        )
    if "certificate has expired" in text:
        return (
            f"The TLS certificate of {shown} has expired. Ask the server's administrator to "
            "renew it; tick “Skip TLS verification” only if you trust this network."
        )
    if "match" in text and ("hostname" in text.lower() or "IP address" in text):
        return (
            f"The TLS certificate of {shown} is for a different host name. Use the host name "
            "the certificate was issued for; skipping verification works but is unsafe."
        )
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        if profile.ca_bundle:
            return (
                f"TLS verification failed for {shown}: its certificate is not signed by the CA "
                f"bundle {profile.ca_bundle}. Check that the bundle matches the server, or tick "
                "“Skip TLS verification” if you trust this network."
            )
        return (
            f"TLS verification failed for {shown}: its certificate is self-signed or signed by "
            "an unknown authority. Set the CA bundle that signed it, or tick “Skip TLS "
            "verification” if you trust this network."
        )
    return (
        f"The TLS handshake with {shown} failed. Check the address and port; a CA bundle or "
        "“Skip TLS verification” helps only if the certificate is the problem."
    )


def _connection_sentence(exc: BaseException, shown: str) -> str:
    text = str(exc)
    host = urlsplit(shown).hostname or shown
    if any(
        marker in text
        for marker in (
            "NameResolutionError",
            "Failed to resolve",
            "Name or service not known",
            "nodename nor servname",
            "getaddrinfo failed",
            "Temporary failure in name resolution",
        )
    ):
        return f"The host name {host} could not be found (DNS): check the address for typos."
    if "timed out" in text:
        return (
            f"{shown} did not answer in time: the server is down or a firewall drops "
            "the connection."
        )
    if "refused" in text.lower():
        return (
            f"Cannot connect to {shown}: nothing is listening there (connection refused). "
            "Check the port, and that the server is running."
        )
    return f"Cannot connect to {shown}: nothing is listening there, or the host name is wrong."


def _origin(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}"


def _path(url: str) -> str:
    return urlsplit(url).path.rstrip("/")


# -- embedded stores ---------------------------------------------------------------------------
def _test_local(profile: Profile) -> ServerInfo:
    uri = profile.tracking_uri.strip()
    if uri.startswith("sqlite:"):
        return _test_sqlite(profile, uri)
    if uri.startswith("file:"):
        path = local_file_path(uri)
        if not path.is_dir():
            raise NotFound(f"The folder {path} does not exist.")
        models = path / "models"
        try:
            count = sum(1 for p in models.iterdir() if p.is_dir()) if models.is_dir() else 0
        except OSError as exc:
            raise PermissionDenied(
                f"The folder {models} cannot be read: {exc.strerror or type(exc).__name__}."
            ) from None
        return ServerInfo(uri, FILE_STORE, count)
    raise InvalidInput("Unsupported tracking URI.")


def _test_sqlite(profile: Profile, uri: str) -> ServerInfo:
    path = sqlite_path(uri)
    if str(path) in ("", ":memory:"):
        raise InvalidInput("An in-memory sqlite store holds no models; name a database file.")
    if not path.exists():
        folder = path.parent
        if profile.source == "local":  # the built-in store's folder is created on demand
            while not folder.exists() and folder != folder.parent:
                folder = folder.parent
        elif not folder.is_dir():
            raise NotFound(f"The folder {path.parent} does not exist.")
        if not os.access(folder, os.W_OK):
            raise PermissionDenied(f"Cannot create the store: the folder {folder} is read-only.")
        return ServerInfo(uri, NEW_EMBEDDED_STORE, 0)
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; a sqlite tracking URI names a database file.")
    try:
        count = _count_sqlite_models(path)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise Unreachable(f"The store {path} is locked by another program.") from None
        raise InvalidInput(f"{path} is not an MLflow store.") from None
    except sqlite3.DatabaseError:
        raise InvalidInput(f"{path} is not an MLflow store (not a sqlite database).") from None
    if count is None:
        return ServerInfo(uri, NEW_EMBEDDED_STORE, 0)
    return ServerInfo(uri, EMBEDDED_STORE, count)


def _count_sqlite_models(path: Path) -> int | None:
    """Registered models (prompts excluded, like MLflow's search), read-only, no mlflow import.

    None means the file exists but MLflow has not created its tables yet.
    """
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return None
        if "registered_models" not in tables:
            if "alembic_version" in tables or "experiments" in tables:
                return 0  # a tracking store without a registry yet
            raise sqlite3.OperationalError("no registered_models table")
        columns = {r[1] for r in conn.execute("PRAGMA table_info(registered_models)")}
        has_tags = "registered_model_tags" in tables
        ws = "workspace" in columns
        sql = "SELECT COUNT(*) FROM registered_models m"
        where = []
        if ws:
            where.append("m.workspace = 'default'")
        if has_tags:
            same_ws = " AND t.workspace = m.workspace" if ws else ""
            where.append(
                "NOT EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = m.name"
                f"{same_ws} AND t.key = 'mlflow.prompt.is_prompt' AND lower(t.value) = 'true')"
            )
        if where:
            sql += " WHERE " + " AND ".join(where)
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()
