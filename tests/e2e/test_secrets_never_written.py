"""A password and a token, used for real, end up in no file and no log line.

A user with its own password on `mlflow server --app-name basic-auth`, and a token that a
small bearer-token gateway in front of the same server accepts. The app (a child process
with an in-memory keychain, everything else as in production) stores both through
SecretStore, opens each profile's main window and loads the models (`--smoke`), with
logging at DEBUG. Then every file under the data dir (config, cache, logs), the home and
working folders, and the process's output are searched for the secrets in plain, base64
and URL-encoded form: none is found.
"""

from __future__ import annotations

import base64
import http.client
import os
import secrets as pysecrets
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore
from tests.builders import as_admin, client_for, new_user
from tests.servers import MlflowServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]

# The app runs in a child process; its keychain is an in-memory backend set there, and
# the secrets arrive on stdin (not argv, not env). Logging goes to DEBUG everywhere.
CHILD = r"""
import logging, sys
import keyring
from keyring.backend import KeyringBackend

class Mem(KeyringBackend):
    priority = 1
    store = {}
    def get_password(self, s, u): return self.store.get((s, u))
    def set_password(self, s, u, p): self.store[(s, u)] = p
    def delete_password(self, s, u): self.store.pop((s, u), None)

keyring.set_keyring(Mem())
password, token = sys.stdin.read().split("\n")[:2]
data_dir = sys.argv[1]

from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore
from modelhub_desktop.core.secrets import SecretStore

store = ProfileStore(AppPaths.resolve(data_dir))
SecretStore().save(store.get("auth"), password=password)
SecretStore().save(store.get("tok"), token=token)
del password, token

import modelhub_desktop.app as app

original = app.setup_logging
def verbose_logging(log_dir):
    original(log_dir)
    for name in ("", "urllib3", "mlflow", "requests", "modelhub_desktop", "qt"):
        logging.getLogger(name).setLevel(logging.DEBUG)
app.setup_logging = verbose_logging

codes = [app.main(["--smoke", "--profile", name, "--data-dir", data_dir])
         for name in ("auth", "tok")]
print("exit", *codes, flush=True)
"""


class BearerGateway:
    """Loopback gateway: accepts `Authorization: Bearer TOKEN`, forwards with basic auth."""

    def __init__(self, upstream_port: int, token: str, user: str, password: str) -> None:
        basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.headers.get("Authorization") != f"Bearer {token}":
                    gateway.rejected += 1
                    gateway.rejected_paths.append(f"{self.command} {self.path}")
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                gateway.accepted += 1
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "connection", "authorization")
                }
                headers["Authorization"] = basic
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _forward  # noqa: N815

        self.accepted = 0
        self.rejected = 0
        self.rejected_paths: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def user_with_model(basic_auth_server: MlflowServer) -> tuple[str, str]:
    """A non-admin user with its own password, and a model it can read."""
    with as_admin():
        user, password = new_user(basic_auth_server.url, "analyst")
        client = client_for(basic_auth_server.url)
        name = "secret-scan model ü"
        if not client.search_registered_models(f"name = '{name}'"):
            client.create_registered_model(name)
            experiment = client.create_experiment(f"secret-scan-{user}")
            for _ in range(2):
                run = client.create_run(experiment)
                client.log_param(run.info.run_id, "alpha", "0.5")
                client.create_model_version(
                    name, f"{run.info.artifact_uri}/model", run.info.run_id,
                    await_creation_for=0
                )
    return user, password


def forms(user: str, secret: str) -> list[bytes]:
    """The ways a secret could be written: plain, URL-encoded, in a basic-auth header."""
    found = {secret, quote(secret, safe=""), base64.b64encode(f"{user}:{secret}".encode()).decode()}
    found.add(base64.b64encode(secret.encode()).decode().rstrip("="))
    return [f.encode() for f in found]


def test_secrets_never_reach_disk_or_logs(
    basic_auth_server: MlflowServer, user_with_model: tuple[str, str], tmp_path: Path
) -> None:
    user, password = user_with_model
    token = f"tok-{pysecrets.token_urlsafe(24)}"
    gateway = BearerGateway(basic_auth_server.port, token, user, password)
    data, home, work = tmp_path / "data", tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    work.mkdir()
    store = ProfileStore(AppPaths.resolve(data).ensure())
    store.upsert(Profile("auth", basic_auth_server.url, auth="basic", username=user))
    store.upsert(Profile("tok", gateway.url, auth="token"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MLFLOW_TRACKING_", "MODELHUB_", "XDG_"))
    }
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        MLFLOW_DISABLE_TELEMETRY="true",
        PYTHONPATH=str(ROOT),
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(data)],
            input=f"{password}\n{token}\n",
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            cwd=work,
        )
    finally:
        gateway.close()
    out = proc.stdout + proc.stderr
    # both profiles were really used: the models were loaded with each secret
    assert "smoke ok profile=auth mode=online" in out, out[-3000:]
    assert "smoke ok profile=tok mode=online" in out, out[-3000:]
    assert "exit 0 0" in out, out[-3000:]
    assert gateway.accepted > 0 and gateway.rejected == 0, gateway.rejected_paths
    for line in out.splitlines():
        if line.startswith("smoke ok"):
            assert int(line.split("models=")[1].split()[0]) >= 1, line

    secrets = forms(user, password) + forms("", token)
    for blob in secrets:
        assert blob not in out.encode(), "a secret reached the process output"
    files = [p for folder in (data, home, work) for p in folder.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert "profiles.json" in names and "modelhub.log" in names, names
    assert any(p.name.startswith("profile-") and p.suffix == ".sqlite" for p in files), names
    log_text = (data / "logs" / "modelhub.log").read_text(encoding="utf-8")
    assert "DEBUG" in log_text  # the scan covered a verbose log
    for path in files:
        content = path.read_bytes()
        for blob in secrets:
            assert blob not in content, f"a secret was written to {path}"
