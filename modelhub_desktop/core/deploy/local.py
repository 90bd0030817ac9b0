"""Deployments served by a process on this machine, supervised by the app.

`LocalBackend` runs the app's own serving command (`modelhub-desktop serve`, see
core/serve.py) as a child: `sys.executable -m modelhub_desktop serve ...` from a source
install, `sys.executable serve ...` from the frozen bundle. `PythonEnvBackend`
(core/deploy/python_env.py) runs `mlflow models serve` in a Python the user picked; both
share the supervision here: port checked before start, ready only once /ping answers,
a log per deployment, a crash noticed with its exit code and log tail, the port verified
free after a stop.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from modelhub_desktop.core.deploy import process
from modelhub_desktop.core.deploy.base import (
    FAILED,
    RUNNING,
    STOPPED,
    UNKNOWN,
    DeployFailed,
    DeploymentRecord,
    Health,
    Prediction,
    RequestStats,
)
from modelhub_desktop.core.deploy.fetch import parse_model_uri
from modelhub_desktop.core.deploy.records import RecordStore
from modelhub_desktop.core.errors import InvalidInput
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.serve import STATS_PATH

DEFAULT_HOST = "127.0.0.1"
READY_TIMEOUT_S = 120.0


def now_ms() -> int:
    return int(time.time() * 1000)


def endpoint_for(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    return f"http://{shown}:{port}"


def data_root(paths: AppPaths) -> str:
    """The folder `--data-dir` names for these paths ("" when they are the platform's)."""
    root = paths.config_dir.parent
    layout = (paths.config_dir.name, paths.data_dir.name, paths.cache_dir.name,
              paths.log_dir.name)
    same = all(p.parent == root for p in (paths.data_dir, paths.cache_dir, paths.log_dir))
    return str(root) if same and layout == ("config", "data", "cache", "logs") else ""


def parse_port(settings: Mapping[str, str], host: str) -> int:
    raw = str(settings.get("port", "")).strip()
    if not raw:
        return process.free_port(host)
    if not raw.isdigit():
        raise InvalidInput(f"The port must be a number, not {raw!r}.")
    return int(raw)


class ProcessBackend:
    """Common supervision of serving processes; subclasses say what command to run."""

    kind = "process"
    ready_timeout_s = READY_TIMEOUT_S

    def __init__(self, paths: AppPaths, store: RecordStore) -> None:
        self.paths = paths
        self.store = store

    # -- what to run (subclasses) ----------------------------------------------------------
    def command(self, model_uri: str, host: str, port: int,
                settings: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def timeout(self, settings: Mapping[str, str]) -> float:
        raw = str(settings.get("timeout", "")).strip()
        return float(raw) if raw.replace(".", "", 1).isdigit() else self.ready_timeout_s

    # -- lifecycle ---------------------------------------------------------------------------
    def log_path(self, name: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        return self.paths.log_dir / "deployments" / f"{safe}.log"

    def create(self, name: str, model_uri: str, settings: Mapping[str, str],
               ctx: TaskContext) -> DeploymentRecord:
        ref = parse_model_uri(model_uri)
        host = str(settings.get("host", "") or DEFAULT_HOST)
        port = parse_port(settings, host)
        process.check_port(host, port)
        stored = {**{k: str(v) for k, v in settings.items()}, "host": host, "port": str(port)}
        log_path = self.log_path(name)
        pid = self._launch(model_uri, host, port, stored, log_path, ctx)
        at = now_ms()
        return DeploymentRecord(
            name=name, backend=self.kind, model_uri=model_uri, model_name=ref.name,
            version=ref.version or 0, endpoint=endpoint_for(host, port), status=RUNNING,
            created_at=at, updated_at=at, settings=stored, pid=pid, log_path=str(log_path),
            keep_running=stored.get("keep_running", "") in ("1", "true", "yes"),
        )

    def _launch(self, model_uri: str, host: str, port: int, settings: Mapping[str, str],
                log_path: Path, ctx: TaskContext) -> int:
        cmd, env = self.command(model_uri, host, port, settings)
        pid = process.start(cmd, env, log_path)
        process.wait_ready(pid, endpoint_for(host, port), log_path, self.timeout(settings), ctx)
        return pid

    def update(self, record: DeploymentRecord, model_uri: str,
               ctx: TaskContext) -> DeploymentRecord:
        """Serve `model_uri` on the same port instead (the old server stops first)."""
        ref = parse_model_uri(model_uri)
        host, port = self._address(record)
        self._stop_process(record)
        process.check_port(host, port)
        try:
            pid = self._launch(model_uri, host, port, record.settings, Path(record.log_path
                               or self.log_path(record.name)), ctx)
        except DeployFailed as exc:
            raise DeployFailed(f"{record.name} could not switch to {model_uri}; it is "
                               f"stopped. {exc}") from None
        return replace(record, model_uri=model_uri, model_name=ref.name,
                       version=ref.version or 0, status=RUNNING, status_detail="", pid=pid,
                       updated_at=now_ms())

    def restart(self, record: DeploymentRecord, ctx: TaskContext) -> DeploymentRecord:
        """Start a stopped or failed deployment again with its last model and settings."""
        return self.update(record, record.model_uri, ctx)

    def stop(self, record: DeploymentRecord) -> DeploymentRecord:
        self._stop_process(record)
        return replace(record, status=STOPPED, status_detail="Stopped.", pid=0,
                       updated_at=now_ms())

    def delete(self, record: DeploymentRecord) -> None:
        self._stop_process(record)
        if record.log_path:
            with contextlib.suppress(OSError):
                os.unlink(record.log_path)

    def list(self) -> list[DeploymentRecord]:
        return [r for r in self.store.all() if r.backend == self.kind]

    def _address(self, record: DeploymentRecord) -> tuple[str, int]:
        return (record.settings.get("host", DEFAULT_HOST),
                int(record.settings.get("port", "0") or 0))

    def _stop_process(self, record: DeploymentRecord) -> None:
        """Stop the record's server if it is the one this app started; check the port."""
        host, port = self._address(record)
        if record.pid and self.owns(record):
            process.stop(record.pid)
            if process.alive(record.pid):
                raise DeployFailed(f"The serving process {record.pid} of {record.name} "
                                   "did not stop.")
        if port and not process.wait_port_released(host, port):
            raise DeployFailed(f"{record.name} was stopped, but port {port} is still in use "
                               "by another program.")

    def owns(self, record: DeploymentRecord) -> bool:
        """Whether `record.pid` is still the server the app started (pids get reused)."""
        if not process.alive(record.pid):
            return False
        if process.is_child(record.pid):
            return True
        cmdline = Path(f"/proc/{record.pid}/cmdline")
        if cmdline.exists():
            with contextlib.suppress(OSError):
                args = cmdline.read_bytes().split(b"\0")
                return b"serve" in args and record.settings.get("port", "").encode() in args
        return process.ping(record.endpoint)[0]

    # -- state -------------------------------------------------------------------------------
    def status(self, record: DeploymentRecord) -> DeploymentRecord:
        if not record.pid:
            return record
        if self.owns(record):
            ok, _ms, why = process.ping(record.endpoint)
            if ok:
                return replace(record, status=RUNNING, status_detail="")
            return replace(record, status=UNKNOWN,
                           status_detail=f"The serving process {record.pid} runs, but {why}.")
        code = process.exit_code(record.pid)
        how = f" with exit code {code}" if code is not None else ""
        detail = (f"The serving process {record.pid} exited{how}."
                  f"{process.tail_text(record.log_path)}")
        return replace(record, status=FAILED, status_detail=detail, pid=0, updated_at=now_ms())

    def health(self, record: DeploymentRecord) -> Health:
        if not record.pid or not process.alive(record.pid):
            return Health(now_ms(), False, None, "The serving process is not running.")
        ok, ms, why = process.ping(record.endpoint, timeout=3.0)
        return Health(now_ms(), ok, round(ms, 3), why)

    def logs(self, record: DeploymentRecord, lines: int = 200) -> str:
        return process.log_tail(record.log_path or self.log_path(record.name), lines)

    def predict(self, record: DeploymentRecord, payload: object) -> Prediction:
        return post_json(record.endpoint.rstrip("/") + "/invocations", payload)

    def stats(self, record: DeploymentRecord) -> RequestStats | None:
        return None


def post_json(url: str, payload: object, timeout: float = 60.0) -> Prediction:
    """POST `payload` as JSON; the answer parsed, with status and latency."""
    import json

    import requests

    body = payload if isinstance(payload, str) else json.dumps(payload)
    started = time.perf_counter()
    try:
        resp = requests.post(url, data=body.encode("utf-8"), timeout=timeout,
                             headers={"Content-Type": "application/json"})
    except requests.RequestException as exc:
        ms = (time.perf_counter() - started) * 1000
        return Prediction(0, None, ms, f"No answer from {url}: {type(exc).__name__}.")
    ms = (time.perf_counter() - started) * 1000
    try:
        parsed: object = resp.json()
    except ValueError:
        parsed = resp.text
    error = "" if resp.status_code == 200 else _error_text(resp.status_code, parsed)
    return Prediction(resp.status_code, parsed, round(ms, 3), error)


def _error_text(status: int, body: object) -> str:
    if isinstance(body, dict) and body.get("message"):
        return f"HTTP {status}: {body['message']}"
    return f"HTTP {status}: {str(body)[:500]}"


class LocalBackend(ProcessBackend):
    """The app's own serving command as a child process."""

    kind = "local"

    def command(self, model_uri: str, host: str, port: int,
                settings: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
        args = ["serve", model_uri, "--host", host, "--port", str(port)]
        if settings.get("profile"):
            args += ["--profile", settings["profile"]]
        elif settings.get("tracking_uri"):
            args += ["--tracking-uri", settings["tracking_uri"]]
        root = data_root(self.paths)
        if root:
            args += ["--data-dir", root]
        env = dict(os.environ)
        env.update(MLFLOW_DISABLE_TELEMETRY="true", PYTHONUNBUFFERED="1")
        if not getattr(sys, "frozen", False):
            env.setdefault("PYTHONWARNINGS", "ignore")
        return process.own_command(*args), env

    def stats(self, record: DeploymentRecord) -> RequestStats | None:
        import requests

        try:
            resp = requests.get(record.endpoint.rstrip("/") + STATS_PATH, timeout=3)
            data = resp.json() if resp.status_code == 200 else None
        except (requests.RequestException, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        return RequestStats(requests=int(data.get("requests", 0)),
                            errors=int(data.get("errors", 0)), p50_ms=data.get("p50_ms"),
                            p95_ms=data.get("p95_ms"), p99_ms=data.get("p99_ms"))
