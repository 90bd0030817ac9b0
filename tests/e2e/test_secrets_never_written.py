"""A password and a token, used for real, end up in no file under the data dir and no log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore
from tests.servers import ADMIN_PASSWORD, ADMIN_USER, MlflowServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TOKEN = "tok-NEVER-ON-DISK-31337"

# The app runs in a child process; its keychain is an in-memory backend loaded there.
KEYRING_SHIM = """
import keyring, sys
from keyring.backend import KeyringBackend
class Mem(KeyringBackend):
    priority = 1
    store = {}
    def get_password(self, s, u): return self.store.get((s, u))
    def set_password(self, s, u, p): self.store[(s, u)] = p
    def delete_password(self, s, u): self.store.pop((s, u), None)
keyring.set_keyring(Mem())
from modelhub_desktop.core.profiles import ProfileStore, SecretStore
from modelhub_desktop.core.paths import AppPaths
paths = AppPaths.resolve(sys.argv[1])
store = ProfileStore(paths)
SecretStore().save(store.get("auth"), password=sys.argv[2])
SecretStore().save(store.get("tok"), token=sys.argv[3])
from modelhub_desktop.app import main
code = main(["--smoke", "--profile", "auth", "--data-dir", sys.argv[1]])
code2 = main(["--smoke", "--profile", "tok", "--data-dir", sys.argv[1]])
print("exit", code, code2)
"""


def test_secrets_never_reach_disk_or_logs(basic_auth_server: MlflowServer, tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = ProfileStore(AppPaths.resolve(data).ensure())
    store.upsert(Profile("auth", basic_auth_server.url, auth="basic", username=ADMIN_USER))
    store.upsert(Profile("tok", basic_auth_server.url, auth="token"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", KEYRING_SHIM, str(data), ADMIN_PASSWORD, TOKEN],
        capture_output=True, text=True, timeout=180, env=env,
    )
    out = proc.stdout + proc.stderr
    assert "smoke ok profile=auth mode=online" in out, out[-3000:]
    # the token is not valid on this server: the app must say so without echoing it
    assert "smoke fail" in out or "smoke ok profile=tok" in out
    assert ADMIN_PASSWORD not in out and TOKEN not in out
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files) and any("sqlite" in p.name for p in files)
    for path in files:
        blob = path.read_bytes()
        assert ADMIN_PASSWORD.encode() not in blob, path
        assert TOKEN.encode() not in blob, path
