"""'Test connection' tells each outcome apart, against real servers on loopback.

Server outcomes (marked e2e): connected, unreachable, bad credentials, not MLflow, TLS
failure, plus the in-between answers (403, 5xx, redirect to a sign-in page, paging).
Embedded-store outcomes need no server.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from modelhub_desktop.core.connection import (
    EMBEDDED_STORE,
    FILE_STORE,
    NEW_EMBEDDED_STORE,
    request_kwargs,
)
from modelhub_desktop.core.connection import test_connection as check_connection
from modelhub_desktop.core.domain import Credentials, Profile
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
from tests.builders import client_for, make_model
from tests.servers import ADMIN_PASSWORD, ADMIN_USER, MlflowServer, free_port

SECRET = "s3cr3t-Do-Not-Show-4711"

Reply = tuple[int, dict[str, str], bytes]


def profile(url: str, **kw: object) -> Profile:
    return Profile(name="t", tracking_uri=url, **kw)  # type: ignore[arg-type]


class _Handler(http.server.BaseHTTPRequestHandler):
    route: Callable[[str, dict[str, list[str]], dict[str, str]], Reply]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        parts = urlsplit(self.path)
        status, headers, body = type(self).route(
            parts.path, parse_qs(parts.query), dict(self.headers.items())
        )
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def fake_server() -> Iterator[Callable[..., str]]:
    """Start a loopback HTTP(S) server answering with `route(path, query, headers)`."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(route: Callable[..., Reply], tls: ssl.SSLContext | None = None) -> str:
        handler = type("Handler", (_Handler,), {"route": staticmethod(route)})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        scheme = "https" if tls else "http"
        return f"{scheme}://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def html(status: int = 200, body: str = "<html><body>Just a web page</body></html>") -> Reply:
    return status, {"Content-Type": "text/html; charset=utf-8"}, body.encode()


def as_json(payload: object, status: int = 200) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1 (made with `cryptography`) and its context."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("tls")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_file, key_file)
    return cert_file, ctx


# -- one test per outcome, against real servers ------------------------------------------------
@pytest.mark.e2e
def test_connected_reports_version_and_model_count(mlflow_server: MlflowServer) -> None:
    make_model(client_for(mlflow_server.url), "conn-count-model", 1)
    start = time.monotonic()
    info = check_connection(profile(mlflow_server.url), Credentials())
    assert time.monotonic() - start < 5
    import mlflow

    assert info.server_version == mlflow.__version__
    assert info.tracking_uri == mlflow_server.url
    names = {m.name for m in client_for(mlflow_server.url).search_registered_models()}
    assert info.model_count == len(names) >= 1
    # a trailing slash is the same server
    slash = check_connection(profile(mlflow_server.url + "/"), Credentials())
    assert (slash.server_version, slash.model_count) == (info.server_version, info.model_count)


@pytest.mark.e2e
def test_closed_port_is_unreachable_within_seconds() -> None:
    start = time.monotonic()
    with pytest.raises(Unreachable, match="Cannot connect.*connection refused"):
        check_connection(profile(f"http://127.0.0.1:{free_port()}"), Credentials())
    assert time.monotonic() - start < 5


@pytest.mark.e2e
def test_silent_server_is_unreachable_within_the_timeout() -> None:
    """Accepts the connection, never answers: the answer comes within `timeout`."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        start = time.monotonic()
        with pytest.raises(Unreachable, match="did not answer within 1 s"):
            check_connection(
                profile(f"http://127.0.0.1:{listener.getsockname()[1]}"),
                Credentials(),
                timeout=1.0,
            )
        assert time.monotonic() - start < 3
    finally:
        listener.close()


@pytest.mark.e2e
def test_unknown_host_is_unreachable() -> None:
    start = time.monotonic()
    with pytest.raises(Unreachable):
        check_connection(profile("http://no-such-host.invalid"), Credentials(), timeout=3)
    assert time.monotonic() - start < 6


@pytest.mark.e2e
def test_wrong_password_is_bad_credentials(basic_auth_server: MlflowServer) -> None:
    p = profile(basic_auth_server.url, auth="basic", username=ADMIN_USER)
    with pytest.raises(AuthFailed, match="401") as info:
        check_connection(p, Credentials(password=SECRET))
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    assert info.value.__cause__ is None
    with pytest.raises(AuthFailed):
        check_connection(profile(basic_auth_server.url), Credentials())  # no credentials
    with pytest.raises(AuthFailed) as info:  # a token is not what this server takes
        check_connection(profile(basic_auth_server.url, auth="token"), Credentials(token=SECRET))
    assert SECRET not in str(info.value)
    info_ok = check_connection(p, Credentials(password=ADMIN_PASSWORD))
    import mlflow

    assert info_ok.server_version == mlflow.__version__ and info_ok.model_count >= 0


@pytest.mark.e2e
def test_plain_http_server_is_not_mlflow(fake_server) -> None:
    url = fake_server(lambda path, q, h: html(404) if path != "/" else html())
    with pytest.raises(NotMlflowServer, match="not an MLflow tracking server"):
        check_connection(profile(url), Credentials())


@pytest.mark.e2e
def test_web_page_or_foreign_json_is_not_mlflow(fake_server) -> None:
    page = fake_server(lambda path, q, h: html())
    with pytest.raises(NotMlflowServer, match="web page"):
        check_connection(profile(page), Credentials())
    api = fake_server(lambda path, q, h: as_json({"status": "ok", "items": []}))
    with pytest.raises(NotMlflowServer, match="not MLflow's"):
        check_connection(profile(api), Credentials())


@pytest.mark.e2e
def test_redirect_to_a_sign_in_page_is_named(fake_server) -> None:
    def route(path: str, q: object, h: object) -> Reply:
        if path.startswith("/login"):
            return html(body="<html><form>Sign in</form></html>")
        return 302, {"Location": "/login?state=abc"}, b""

    url = fake_server(route)
    with pytest.raises(NotMlflowServer, match=r"redirected to http://127\.0\.0\.1:\d+/login,"):
        check_connection(profile(url), Credentials())


@pytest.mark.e2e
def test_forbidden_and_server_errors(fake_server) -> None:
    forbidden = fake_server(lambda p, q, h: as_json({"error_code": "PERMISSION_DENIED"}, 403))
    with pytest.raises(PermissionDenied, match="403"):
        check_connection(profile(forbidden), Credentials())
    broken = fake_server(lambda p, q, h: as_json({"error_code": "INTERNAL_ERROR"}, 500))
    with pytest.raises(ServerError, match="HTTP 500"):
        check_connection(profile(broken), Credentials())
    assert issubclass(ServerError, Unreachable)  # the UI treats it like "unreachable"


@pytest.mark.e2e
def test_model_count_pages_through_the_search(fake_server) -> None:
    seen: list[dict[str, list[str]]] = []

    def route(path: str, q: dict[str, list[str]], h: dict[str, str]) -> Reply:
        if path == "/version":
            return 200, {"Content-Type": "text/plain"}, b"9.9.9"
        assert path == "/api/2.0/mlflow/registered-models/search"
        seen.append(q)
        if "page_token" not in q:
            models = [{"name": f"m{i}"} for i in range(1000)]
            return as_json({"registered_models": models, "next_page_token": "p2"})
        return as_json({"registered_models": [{"name": "last"}]})

    info = check_connection(profile(fake_server(route)), Credentials())
    assert (info.server_version, info.model_count) == ("9.9.9", 1001)
    assert [q.get("max_results") for q in seen] == [["1000"], ["1000"]]
    assert seen[1]["page_token"] == ["p2"]


@pytest.mark.e2e
def test_empty_registry_and_missing_version_endpoint(fake_server) -> None:
    def route(path: str, q: object, h: object) -> Reply:
        return as_json({}) if path.endswith("/search") else html(404)

    info = check_connection(profile(fake_server(route)), Credentials())
    assert (info.model_count, info.server_version) == (0, "unknown version")


@pytest.mark.e2e
def test_auth_headers_are_sent(fake_server) -> None:
    got: list[str] = []

    def route(path: str, q: object, h: dict[str, str]) -> Reply:
        got.append(h.get("Authorization", ""))
        return as_json({})

    url = fake_server(route)
    check_connection(profile(url, auth="token"), Credentials(token=f"  {SECRET}\n"))
    assert got[0] == f"Bearer {SECRET}"  # a pasted newline is not sent
    import base64

    check_connection(profile(url, auth="basic", username="ännä"), Credentials(password="pä ss"))
    assert got[-1] == "Basic " + base64.b64encode("ännä:pä ss".encode()).decode()


@pytest.mark.e2e
def test_self_signed_tls_fails_unless_trusted_or_skipped(fake_server, self_signed) -> None:
    cert_file, ctx = self_signed
    url = fake_server(lambda p, q, h: html(404), tls=ctx)
    with pytest.raises(TlsFailed, match="self-signed.*CA bundle.*Skip TLS verification"):
        check_connection(profile(url), Credentials())
    # the CA bundle that signed it: TLS passes, and the reply says what the server is
    with pytest.raises(NotMlflowServer):
        check_connection(profile(url, ca_bundle=str(cert_file)), Credentials())
    with pytest.raises(NotMlflowServer):
        check_connection(profile(url, insecure_tls=True), Credentials())
    with pytest.raises(InvalidInput, match="does not exist"):
        check_connection(profile(url, ca_bundle="/nonexistent/ca.pem"), Credentials())


@pytest.mark.e2e
def test_self_signed_tls_in_front_of_mlflow(fake_server, self_signed) -> None:
    """With verification skipped, an MLflow-like server behind TLS connects."""
    _, ctx = self_signed
    url = fake_server(lambda p, q, h: as_json({"registered_models": [{"name": "a"}]}), tls=ctx)
    with pytest.raises(TlsFailed):
        check_connection(profile(url), Credentials())
    info = check_connection(profile(url, insecure_tls=True), Credentials())
    assert info.model_count == 1


@pytest.mark.e2e
def test_https_to_a_plain_http_port_says_so(fake_server) -> None:
    url = fake_server(lambda p, q, h: html()).replace("http://", "https://")
    with pytest.raises(TlsFailed, match="does not speak TLS"):
        check_connection(profile(url), Credentials())


# -- request_kwargs ----------------------------------------------------------------------------
def test_request_kwargs() -> None:
    base = "https://h.example.com"
    assert request_kwargs(profile(base), Credentials()) == {}
    basic = request_kwargs(profile(base, auth="basic", username="u"), Credentials(password="p"))
    assert basic == {"auth": (b"u", b"p")}
    token = request_kwargs(profile(base, auth="token"), Credentials(token="t\n"))
    assert token == {"headers": {"Authorization": "Bearer t"}}
    assert request_kwargs(profile(base, insecure_tls=True), Credentials())["verify"] is False
    assert request_kwargs(profile(base, ca_bundle="/ca.pem"), Credentials())["verify"] == "/ca.pem"
    with pytest.raises(InvalidInput) as info:
        request_kwargs(profile(base, auth="token"), Credentials(token=f"{SECRET}\nX-Evil: 1"))
    assert SECRET not in str(info.value)


# -- embedded stores (no server) ---------------------------------------------------------------
def make_store(db: Path, models: list[str], prompts: list[str] = ()) -> None:  # type: ignore[assignment]
    """The tables MLflow 3.17 creates for registered models (enough for the fast path)."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE registered_models (name VARCHAR(256) NOT NULL, creation_time BIGINT,"
            " last_updated_time BIGINT, description VARCHAR(5000), workspace VARCHAR(63)"
            " DEFAULT 'default' NOT NULL, PRIMARY KEY (workspace, name))"
        )
        conn.execute(
            "CREATE TABLE registered_model_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),"
            " name VARCHAR(256) NOT NULL, workspace VARCHAR(63) DEFAULT 'default' NOT NULL,"
            " PRIMARY KEY (workspace, key, name))"
        )
        for name in [*models, *prompts]:
            conn.execute("INSERT INTO registered_models (name) VALUES (?)", (name,))
        for name in prompts:
            conn.execute(
                "INSERT INTO registered_model_tags (key, value, name) VALUES (?, 'true', ?)",
                ("mlflow.prompt.is_prompt", name),
            )
    conn.close()


def test_sqlite_store_counts_models_without_prompts(tmp_path: Path) -> None:
    folder = tmp_path / "Application Support #% ünï"
    folder.mkdir()
    db = folder / "mlflow.db"
    make_store(db, ["a", "b b", "ü"], prompts=["p1"])
    start = time.monotonic()
    info = check_connection(profile(f"sqlite:///{db}"), Credentials())
    assert time.monotonic() - start < 1
    assert (info.server_version, info.model_count) == (EMBEDDED_STORE, 3)


def test_sqlite_store_outcomes(tmp_path: Path) -> None:
    new = check_connection(profile(f"sqlite:///{tmp_path}/new.db"), Credentials())
    assert (new.server_version, new.model_count) == (NEW_EMBEDDED_STORE, 0)
    assert not (tmp_path / "new.db").exists()  # testing creates nothing
    with pytest.raises(NotFound, match="does not exist"):
        check_connection(profile(f"sqlite:///{tmp_path}/missing/x.db"), Credentials())
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InvalidInput, match="not an MLflow store"):
        check_connection(profile(f"sqlite:///{junk}"), Credentials())
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    conn.close()
    with pytest.raises(InvalidInput, match="not an MLflow store"):
        check_connection(profile(f"sqlite:///{other}"), Credentials())
    with pytest.raises(InvalidInput, match="folder"):
        check_connection(profile(f"sqlite:///{tmp_path}"), Credentials())


def test_local_profile_store_is_created_on_demand(tmp_path: Path) -> None:
    from modelhub_desktop.core.paths import AppPaths
    from modelhub_desktop.core.profiles import ProfileStore

    store = ProfileStore(AppPaths.resolve(tmp_path / "fresh"))  # folders not created yet
    info = check_connection(store.local_profile(), Credentials())
    assert (info.server_version, info.model_count) == (NEW_EMBEDDED_STORE, 0)


def test_file_store(tmp_path: Path) -> None:
    for name in ("m1", "m2"):
        (tmp_path / "mlruns" / "models" / name).mkdir(parents=True)
    info = check_connection(profile((tmp_path / "mlruns").as_uri()), Credentials())
    assert (info.server_version, info.model_count) == (FILE_STORE, 2)
    with pytest.raises(NotFound):
        check_connection(profile((tmp_path / "nope").as_uri()), Credentials())


def test_a_separate_registry_server_is_the_one_searched(mlflow_server: MlflowServer) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    info = check_connection(profile(dead, registry_uri=mlflow_server.url), Credentials())
    assert info.model_count >= 0 and info.server_version != "unknown version"
    with pytest.raises(Unreachable):
        check_connection(profile(mlflow_server.url, registry_uri=dead), Credentials())
