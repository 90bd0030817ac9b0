"""Serving processes: start one with its log, wait for /ping, notice it dying, stop it.

Each server runs in its own session (process group on POSIX), so a stop reaches whatever
it started (`mlflow models serve` runs uvicorn through a shell) and a server marked
"keep running" outlives the app. The app's own children are kept as `Popen` objects to
learn their exit code; servers adopted from an earlier session are known by pid only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from modelhub_desktop.core.deploy.base import DeployFailed
from modelhub_desktop.core.errors import Cancelled, InvalidInput
from modelhub_desktop.core.progress import TaskContext

#: seconds a server has to shut down after SIGTERM before it is killed
STOP_GRACE_S = 10.0
#: seconds the port may take to be released after the server is gone
PORT_RELEASE_S = 5.0

_children: dict[int, subprocess.Popen[bytes]] = {}
_children_lock = threading.Lock()


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on `host:port` now (as uvicorn binds it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if os.name != "nt":  # as uvicorn: a port in TIME_WAIT counts as free
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def check_port(host: str, port: int) -> None:
    """InvalidInput naming the port when something already listens there."""
    if not 1 <= port <= 65535:
        raise InvalidInput(f"Port {port} is not a valid port (1-65535).")
    if not port_free(host, port):
        raise InvalidInput(
            f"Port {port} on {host} is already in use by another program: choose another "
            "port, or stop what listens there."
        )


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start(cmd: Sequence[str], env: Mapping[str, str], log_path: Path) -> int:
    """Start `cmd` in its own session with stdout and stderr appended to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:  # the child keeps its own handle
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting: "
                  f"{' '.join(cmd)}\n".encode())
        log.flush()
        extra: dict[str, object] = {}
        if os.name == "nt":
            extra["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        else:
            extra["start_new_session"] = True
        try:
            proc = subprocess.Popen(list(cmd), env=dict(env), stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    **extra)  # type: ignore[call-overload]
        except OSError as exc:
            raise DeployFailed(f"Could not start {cmd[0]}: {exc.strerror or exc}.") from None
    with _children_lock:
        _children[proc.pid] = proc
    return int(proc.pid)


def is_child(pid: int) -> bool:
    """Whether `pid` was started by this app (in this session)."""
    with _children_lock:
        return pid in _children


def exit_code(pid: int) -> int | None:
    """The exit code of a child of this app that has ended; None if running or unknown."""
    with _children_lock:
        proc = _children.get(pid)
    return None if proc is None else proc.poll()


def alive(pid: int) -> bool:
    """Whether process `pid` is running (a child that ended is reaped here)."""
    if pid <= 0:
        return False
    with _children_lock:
        proc = _children.get(pid)
    if proc is not None:
        return proc.poll() is None
    if os.name == "nt":
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _alive_windows(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    code = ctypes.c_ulong()
    try:
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def stop(pid: int, grace_s: float = STOP_GRACE_S) -> None:
    """Ask the server (and what it started) to stop; kill it if it has not after `grace_s`.

    Returns once the whole group is gone: the leader may exit before the uvicorn it
    started has finished shutting down (and released the port)."""
    if not alive(pid):
        return
    _signal_group(pid, kill=False)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if not _running(pid):
            break
        time.sleep(0.05)
    else:
        _signal_group(pid, kill=True)
        deadline = time.monotonic() + 5
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
    if not alive(pid):
        with _children_lock:
            _children.pop(pid, None)


def _running(pid: int) -> bool:
    """Whether the server `pid` or any process of its group still runs."""
    return alive(pid) or _group_alive(pid)


def _group_alive(pgid: int) -> bool:
    """Whether process group `pgid` has a live member (zombies awaiting a reaper do not count)."""
    if os.name == "nt":  # pragma: no cover - taskkill /T ends the tree
        return False
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, group = stat[stat.rindex(")") + 2:].split()[:3]
        if int(group) == pgid and state not in ("Z", "X"):
            return True
    return False


def _signal_group(pid: int, kill: bool) -> None:
    if os.name == "nt":  # pragma: no cover - Windows only
        flags = ["/F"] if kill else []
        subprocess.run(["taskkill", *flags, "/T", "/PID", str(pid)], capture_output=True,
                       check=False)
        return
    sig = signal.SIGKILL if kill else signal.SIGTERM
    try:
        os.killpg(pid, sig)  # its own session: the group id is its pid
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def wait_port_released(host: str, port: int, timeout: float = PORT_RELEASE_S) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if port_free(host, port):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def ping(url: str, timeout: float = 1.0) -> tuple[bool, float, str]:
    """(answered 200, milliseconds, what went wrong) for GET `url`/ping."""
    import requests

    started = time.perf_counter()
    try:
        resp = requests.get(url.rstrip("/") + "/ping", timeout=timeout)
    except requests.RequestException as exc:
        return False, (time.perf_counter() - started) * 1000, _short(exc)
    ms = (time.perf_counter() - started) * 1000
    if resp.status_code != 200:
        return False, ms, f"/ping answered HTTP {resp.status_code}"
    return True, ms, ""


def _short(exc: Exception) -> str:
    text = type(exc).__name__
    if "ConnectionError" in text or "refused" in str(exc).lower():
        return "nothing answers on the port"
    if "Timeout" in text:
        return "no answer in time"
    return text


def wait_ready(pid: int, url: str, log_path: Path, timeout: float,
               ctx: TaskContext | None = None) -> None:
    """Return when `url`/ping answers 200; stop the process and raise if it cannot."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        if ctx is not None and ctx.cancelled:
            stop(pid)
            raise Cancelled("Deployment cancelled; the serving process was stopped.")
        if not alive(pid):
            code = exit_code(pid)
            how = f" with exit code {code}" if code is not None else ""
            raise DeployFailed(f"The serving process exited{how} before it was ready."
                               f"{tail_text(log_path)}")
        ok, _ms, _why = ping(url, timeout=2.0)
        if ok:
            return
        if time.monotonic() >= deadline:
            stop(pid)
            raise DeployFailed(f"The serving process did not answer {url}/ping within "
                               f"{timeout:.0f} s and was stopped.{tail_text(log_path)}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)


def log_tail(log_path: Path | str, lines: int = 200) -> str:
    """The last `lines` lines of a log ("" if there is none)."""
    path = Path(log_path)
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 256 * 1024))
            data = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


def tail_text(log_path: Path | str, lines: int = 15) -> str:
    """" Last lines of its log:\\n..." for an error message ("" without a log)."""
    tail = log_tail(log_path, lines).strip()
    return f" Last lines of its log ({log_path}):\n{tail}" if tail else ""


def own_command(*args: str) -> list[str]:
    """How to run this app's command line: the frozen executable, or this Python."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "modelhub_desktop", *args]
