"""Real servers on loopback for tests: `mlflow server` (plain or basic-auth) and an
S3-compatible store (moto), each on a free port.

One server per test session is enough: starting one takes ~5 s and ~0.5 GB.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-Secret-1234"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false",
        MLFLOW_DISABLE_TELEMETRY="true",
        PYTHONWARNINGS="ignore",
    )
    for var in (
        "MLFLOW_TRACKING_URI",
        "MLFLOW_TRACKING_USERNAME",
        "MLFLOW_TRACKING_PASSWORD",
        "MLFLOW_TRACKING_TOKEN",
    ):
        env.pop(var, None)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.update(extra or {})
    return env


def _log_tail(path: Path, n: int) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return ""


def _stop_group(proc: subprocess.Popen[bytes] | None) -> None:
    """Stop a server started in its own process group: TERM, then KILL if it lingers."""
    if proc is None:
        return
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@dataclass
class MlflowServer:
    """A `mlflow server` process with its own sqlite store and artifact root."""

    root: Path
    app_name: str | None = None
    port: int = field(default_factory=free_port)
    #: Artifacts through the server (`mlflow-artifacts:/`) instead of a local folder.
    proxied_artifacts: bool = False
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def backend_uri(self) -> str:
        return f"sqlite:///{self.root / 'mlflow.db'}"

    def start(self, timeout: float = 90.0) -> MlflowServer:
        self.root.mkdir(parents=True, exist_ok=True)
        extra: dict[str, str] = {}
        cmd = [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            self.backend_uri,
            *(
                # files go through the server (and its authentication), as in production
                ["--default-artifact-root", "mlflow-artifacts:/",
                 "--artifacts-destination", str(self.root / "artifacts")]
                if self.proxied_artifacts
                else ["--default-artifact-root", str(self.root / "artifacts")]
            ),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "1",
        ]
        if self.app_name == "basic-auth":
            ini = self.root / "basic_auth.ini"
            ini.write_text(
                "[mlflow]\n"
                "default_permission = READ\n"
                f"database_uri = sqlite:///{self.root / 'auth.db'}\n"
                f"admin_username = {ADMIN_USER}\n"
                f"admin_password = {ADMIN_PASSWORD}\n"
                "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n",
                encoding="utf-8",
            )
            extra["MLFLOW_AUTH_CONFIG_PATH"] = str(ini)
            extra["MLFLOW_FLASK_SERVER_SECRET_KEY"] = "modelhub-test-secret"
            cmd += ["--app-name", "basic-auth"]
        with open(self.root / "server.log", "ab") as log:  # the child keeps its own handle
            self.proc = subprocess.Popen(
                cmd,
                env=server_env(extra),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited early:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"mlflow server not ready after {timeout}s:\n{self.log_tail()}")

    def log_tail(self, n: int = 4000) -> str:
        return _log_tail(self.root / "server.log", n)

    def stop(self) -> None:
        _stop_group(self.proc)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


#: Credentials the moto S3 server accepts (it checks none); set as the usual AWS variables.
S3_ACCESS_KEY = "modelhub-test-key"
S3_SECRET_KEY = "modelhub-test-secret"


@dataclass
class MotoS3Server:
    """An S3-compatible server (moto in server mode) on a free loopback port."""

    root: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def aws_env(self) -> dict[str, str]:
        """The usual AWS variables for a client of this server (no endpoint: that is per use)."""
        return {
            "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
            # keep the developer's own ~/.aws out of the tests
            "AWS_CONFIG_FILE": str(self.root / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.root / "aws-credentials"),
        }

    def start(self, timeout: float = 60.0) -> MotoS3Server:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "moto.log", "ab") as log:  # the child keeps its own handle
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                env=server_env(self.aws_env()),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto server exited early:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/moto-api/", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"moto server not ready after {timeout}s:\n{self.log_tail()}")

    def create_bucket(self, name: str) -> None:
        import boto3

        env = self.aws_env()
        boto3.client(
            "s3", endpoint_url=self.url, region_name=env["AWS_DEFAULT_REGION"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        ).create_bucket(Bucket=name)

    def log_tail(self, n: int = 4000) -> str:
        return _log_tail(self.root / "moto.log", n)

    def stop(self) -> None:
        _stop_group(self.proc)
        self.proc = None
