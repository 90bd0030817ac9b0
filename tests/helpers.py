"""Helpers the tests (and benchmarks) share: the UI-stall probe, the counting/fault proxy,
window openers, cache checks, and waits that end when the work ends (never a fixed sleep).

Qt and the app's UI are imported inside the functions that need them, so core tests and
the benchmarks' server side can import this module without loading Qt.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

if TYPE_CHECKING:
    from PySide6.QtCore import QAbstractItemModel
    from PySide6.QtTest import QAbstractItemModelTester
    from pytestqt.qtbot import QtBot

    from modelhub_desktop.core.domain import Credentials, Profile
    from modelhub_desktop.ui.main_window import MainWindow
    from modelhub_desktop.ui.tasks import TaskRunner

# -- waiting for work, not for time -----------------------------------------------------------


def wait_for_tasks(qtbot: QtBot, runner: TaskRunner, timeout: int = 60000) -> None:
    """Wait until every task of `runner` has finished and its result has been delivered."""
    qtbot.waitUntil(lambda: not runner.active(), timeout=timeout)


def close_when_idle(qtbot: QtBot, window: MainWindow) -> None:
    """Close once every task result has been delivered (none lands after the cache closes)."""
    wait_for_tasks(qtbot, window.ctx.runner)
    window.close()


# -- Qt models -------------------------------------------------------------------------------


def attach_model_tester(model: QAbstractItemModel) -> QAbstractItemModelTester:
    """Qt's model tester on `model` for as long as the model lives.

    Attach it before the model is filled: it then checks every insert, reset, in-place
    update and sort that follows. It reports broken invariants as `qt.modeltest` warnings,
    which fail the test (pytest-qt fails on them; see `qt_log_level_fail`). pytest-qt's
    `qtmodeltester.check` keeps one tester per test; this one can watch several models.
    """
    from PySide6.QtTest import QAbstractItemModelTester

    mode = QAbstractItemModelTester.FailureReportingMode.Warning
    return QAbstractItemModelTester(model, mode, model)


# -- the UI-stall probe ------------------------------------------------------------------------


class StallProbe:
    """Largest gap between ticks of a 10 ms QTimer on the UI thread.

    When the UI thread is busy (or blocked on a lock, the network or the GIL) the ticks stop,
    and the longest gap is how long the window was frozen.
    """

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import QTimer

        self.interval_ms = interval_ms
        self.max_gap_ms = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap_ms = max(self.max_gap_ms, (now - self._last) * 1000)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.max_gap_ms


# -- opening the main window ------------------------------------------------------------------


class StubProfiles:
    """Just enough of ProfileStore for one profile."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.last = ""
        self.problem = ""

    def list(self) -> list[Profile]:
        return [self.profile]

    def get(self, name: str) -> Profile | None:
        return self.profile if name == self.profile.name else None

    def set_last_used(self, name: str) -> None:
        self.last = name


class NoSecrets:
    """A secret store that holds nothing: the server needs no credentials."""

    problem = ""

    def credentials(self, profile: Profile) -> Credentials:
        from modelhub_desktop.core.domain import Credentials

        return Credentials()


def open_window(qtbot: QtBot, url: str, data_dir: Path, **opts: Any) -> MainWindow:
    """The main window on `url` with its own data dir, shown, closed by qtbot at the end."""
    from PySide6.QtCore import QSettings

    from modelhub_desktop.core.domain import Profile
    from modelhub_desktop.core.paths import AppPaths
    from modelhub_desktop.ui.app_context import AppContext, StartOptions
    from modelhub_desktop.ui.main_window import MainWindow
    from modelhub_desktop.ui.tasks import TaskRunner

    paths = AppPaths.resolve(data_dir).ensure()
    profile = Profile(name="e2e", tracking_uri=url, source="command-line")
    settings = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)
    ctx = AppContext(paths, StubProfiles(profile), NoSecrets(), TaskRunner(),  # type: ignore[arg-type]
                     settings)
    window = MainWindow(ctx, profile, StartOptions(interactive=False, **opts))
    qtbot.addWidget(window)
    window.show()
    return window


# -- the cache on disk -----------------------------------------------------------------------


def cache_is_whole(path: Path) -> bool:
    """Whether SQLite finds the cache file intact (opened read-only)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


def _permissions_bypassed() -> bool:
    """True when file modes do not stop this process (root, CAP_DAC_OVERRIDE)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe"
        probe.write_text("x")
        probe.chmod(0)
        try:
            probe.read_text()
        except PermissionError:
            return False
        finally:
            probe.chmod(0o600)
        return True


PRIVILEGED = _permissions_bypassed()


@contextlib.contextmanager
def read_only(target: Path) -> Iterator[None]:
    """Make a folder or file read-only for this user, root included (immutable flag)."""
    if PRIVILEGED:
        if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode:
            pytest.skip("running as root and the immutable flag is not available")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(target)], check=True)
    else:
        mode = target.stat().st_mode
        target.chmod(0o555 if target.is_dir() else 0o444)
        try:
            yield
        finally:
            target.chmod(mode)


# -- a counting, fault-injecting HTTP proxy ---------------------------------------------------

Fault = Literal["none", "500", "hang", "reset"]


class CountingProxy:
    """A small HTTP proxy on loopback in front of a real `mlflow server`.

    Counts requests (batching tests) or makes the server misbehave (fault tests): HTTP 500s,
    a response that hangs past the client's timeout, a connection reset half-way through a body.
    """

    def __init__(self, upstream_port: int, hang_seconds: float = 30.0) -> None:
        self.upstream_port = upstream_port
        self.hang_seconds = hang_seconds
        self.requests: list[str] = []
        self.fault: Fault = "none"
        self.fault_paths: tuple[str, ...] = ()  # empty = every path (except /health)
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                path = self.path.split("?")[0]
                with proxy._lock:
                    proxy.requests.append(f"{self.command} {path}")
                fault = proxy._fault_for(path)
                if fault == "500":
                    self._send(500, b'{"error_code":"INTERNAL_ERROR","message":"injected"}')
                    return
                if fault == "hang":
                    time.sleep(proxy.hang_seconds)
                    self.close_connection = True
                    return
                conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                if fault == "reset":
                    self._reset_half_way(resp, data)
                    return
                self.send_response(resp.status)
                for key, value in resp.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _reset_half_way(self, resp: http.client.HTTPResponse, data: bytes) -> None:
                self.send_response(resp.status)
                self.send_header("Content-Type", resp.getheader("Content-Type", ""))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: max(1, len(data) // 2)])
                self.wfile.flush()
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
                self.close_connection = True
                self.connection.close()

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _fault_for(self, path: str) -> Fault:
        if self.fault == "none" or path == "/health":
            return "none"
        if self.fault_paths and not any(p in path for p in self.fault_paths):
            return "none"
        return self.fault

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> CountingProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self.requests)

    def total(self) -> int:
        with self._lock:
            return len(self.requests)
