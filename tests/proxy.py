"""A small HTTP proxy on loopback that counts requests and injects faults.

Put it between the app and a real `mlflow server` to count HTTP requests (batching
tests) or to make the server misbehave (fault tests): HTTP 500s, a response that hangs
past the client's timeout, a connection reset half-way through a body.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

Fault = Literal["none", "500", "hang", "reset"]


class CountingProxy:
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
                    return
                self.send_response(resp.status)
                for key, value in resp.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

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
