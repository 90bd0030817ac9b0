"""'Test connection' tells each failure apart, against real servers on loopback."""

from __future__ import annotations

import datetime
import http.server
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelhub_desktop.core.connection import test_connection as check_connection
from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import (
    AuthFailed,
    NotMlflowServer,
    TlsFailed,
    Unreachable,
)
from tests.builders import client_for, make_model
from tests.servers import ADMIN_PASSWORD, ADMIN_USER, MlflowServer, free_port

pytestmark = pytest.mark.e2e


def profile(url: str, **kw: object) -> Profile:
    return Profile(name="t", tracking_uri=url, **kw)  # type: ignore[arg-type]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def plain_http(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "index.html").write_text("<html><body>Just a web page</body></html>")
    handler = lambda *a, **k: _Quiet(*a, directory=str(tmp_path), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def self_signed_https(tmp_path: Path) -> Iterator[str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_file, key_file)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_connected_reports_version_and_model_count(mlflow_server: MlflowServer) -> None:
    make_model(client_for(mlflow_server.url), "conn-count-model", 1)
    info = check_connection(profile(mlflow_server.url), Credentials())
    import mlflow

    assert info.server_version == mlflow.__version__
    names = {m.name for m in client_for(mlflow_server.url).search_registered_models()}
    assert info.model_count == len(names) >= 1


def test_closed_port_is_unreachable_within_seconds() -> None:
    start = time.monotonic()
    with pytest.raises(Unreachable, match="Cannot connect"):
        check_connection(profile(f"http://127.0.0.1:{free_port()}"), Credentials())
    assert time.monotonic() - start < 5


def test_wrong_password_is_bad_credentials(basic_auth_server: MlflowServer) -> None:
    p = profile(basic_auth_server.url, auth="basic", username=ADMIN_USER)
    with pytest.raises(AuthFailed, match="401"):
        check_connection(p, Credentials(password="wrong-password"))
    info = check_connection(p, Credentials(password=ADMIN_PASSWORD))
    assert info.model_count >= 0


def test_plain_http_server_is_not_mlflow(plain_http: str) -> None:
    with pytest.raises(NotMlflowServer, match="not an MLflow"):
        check_connection(profile(plain_http), Credentials())


def test_self_signed_tls_fails_unless_skipped(self_signed_https: str) -> None:
    with pytest.raises(TlsFailed, match="CA bundle"):
        check_connection(profile(self_signed_https), Credentials())
    with pytest.raises(NotMlflowServer):
        check_connection(profile(self_signed_https, insecure_tls=True), Credentials())


def test_errors_never_contain_the_secret(basic_auth_server: MlflowServer) -> None:
    secret = "s3cr3t-Do-Not-Show-4711"
    p = profile(basic_auth_server.url, auth="basic", username=ADMIN_USER)
    with pytest.raises(AuthFailed) as info:
        check_connection(p, Credentials(password=secret))
    assert secret not in str(info.value) and secret not in repr(info.value)
