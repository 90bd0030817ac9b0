"""`modelhub-desktop serve MODEL_URI`: one registered version behind MLflow's scoring server.

A frozen app has no Python to run `mlflow models serve` with, so the app serves models
itself: it finds the version's files (fetched into the cache by the app beforehand, or
downloaded here with the profile's credentials), loads the pyfunc model and runs MLflow's
own scoring app (`mlflow.pyfunc.scoring_server`: /ping, /health, /version, /invocations)
in this process with uvicorn. One more endpoint, /modelhub/stats, reports request count,
error count and latency percentiles for the app's monitoring. Imports no Qt.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from modelhub_desktop.core.deploy import fetch
from modelhub_desktop.core.deploy.choice import CARRIED_LOADERS
from modelhub_desktop.core.errors import InvalidInput, ModelHubError
from modelhub_desktop.core.paths import AppPaths

log = logging.getLogger("modelhub.serve")
STATS_PATH = "/modelhub/stats"
#: latencies kept for percentiles (the most recent ones)
WINDOW = 10_000


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="modelhub-desktop serve",
        description="Serve one registered model version with MLflow's pyfunc scoring server "
                    "(/ping, /health, /version, /invocations).",
    )
    p.add_argument("model_uri", metavar="MODEL_URI",
                   help="models:/<name>/<version> or models:/<name>@<alias>")
    p.add_argument("--port", type=int, default=5000, help="port to listen on (default 5000)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--profile", help="connection profile the model is registered in")
    p.add_argument("--tracking-uri", help="tracking URI the model is registered in")
    p.add_argument("--data-dir", help="keep all config, cache and data under this folder")
    return p


class Stats:
    """Requests to /invocations since start: count, errors, recent latencies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.errors = 0
        self._recent: deque[float] = deque(maxlen=WINDOW)

    def add(self, ms: float, ok: bool) -> None:
        with self._lock:
            self.requests += 1
            self.errors += 0 if ok else 1
            self._recent.append(ms)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            ordered = sorted(self._recent)
            out: dict[str, Any] = {"requests": self.requests, "errors": self.errors}
        for name, q in (("p50_ms", 0.50), ("p95_ms", 0.95), ("p99_ms", 0.99)):
            out[name] = _quantile(ordered, q)
        return out


def _quantile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 3)


@dataclass(frozen=True)
class ServeInfo:
    model_uri: str
    version: int
    started_at: int  # ms since epoch


def build_app(model: Any, info: ServeInfo, stats: Stats) -> Any:
    """MLflow's scoring app for `model`, with request statistics around /invocations."""
    from fastapi import Request
    from fastapi.responses import JSONResponse
    from mlflow.pyfunc import scoring_server

    app = scoring_server.init(model)

    @app.middleware("http")
    async def count(request: Request, call_next: Any) -> Any:
        if request.url.path != "/invocations":
            return await call_next(request)
        started = time.perf_counter()
        ok = False
        try:
            response = await call_next(request)
            ok = response.status_code < 400
            return response
        finally:
            stats.add((time.perf_counter() - started) * 1000, ok)

    async def stats_endpoint() -> JSONResponse:
        return JSONResponse({"pid": os.getpid(), "model_uri": info.model_uri,
                             "version": info.version, "started_at": info.started_at,
                             **stats.snapshot()})

    app.get(STATS_PATH)(stats_endpoint)
    return app


def locate(paths: AppPaths, args: argparse.Namespace) -> fetch.LocalModel:
    """The model's files: from the cache when the app fetched them, else downloaded now."""
    from modelhub_desktop.core.profiles import ProfileStore, SecretStore
    from modelhub_desktop.core.start_profile import choose_start_profile

    ref = fetch.parse_model_uri(args.model_uri)
    store = ProfileStore(paths)
    profile = choose_start_profile(store, profile_name=args.profile,
                                   tracking_uri=args.tracking_uri, environ=os.environ,
                                   demo=False).profile
    found = fetch.cached(paths.cache_dir, profile.tracking_uri, ref)
    if found is not None:
        return found
    from modelhub_desktop.core.registry import RegistryGateway

    credentials = SecretStore(store).credentials(profile) if profile.auth != "none" else None
    gateway = RegistryGateway(profile, credentials)
    return fetch.fetch(gateway, paths.cache_dir, profile.tracking_uri, ref)


def load(local: fetch.LocalModel) -> Any:
    """The pyfunc model, or InvalidInput saying why this command cannot serve it."""
    if not local.loader_module:
        flavors = ", ".join(local.flavors) or "none"
        raise InvalidInput(f"{local.ref.uri} has no python_function (pyfunc) flavor "
                           f"(flavors: {flavors}); it cannot be served.")
    if local.loader_module not in CARRIED_LOADERS and getattr(sys, "frozen", False):
        raise InvalidInput(f"{local.ref.uri} loads with {local.loader_module}, which this app "
                           "does not carry: serve it through a Python environment.")
    from modelhub_desktop.core.mlflow_import import import_mlflow

    import_mlflow()
    import mlflow.pyfunc

    return mlflow.pyfunc.load_model(str(local.path))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the serving command; returns the exit code (2: bad input, 1: failed)."""
    args = build_parser().parse_args(argv)
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("urllib3", "alembic", "sqlalchemy", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    started = time.perf_counter()
    try:
        paths = AppPaths.resolve(args.data_dir).ensure()
        local = locate(paths, args)
        model = load(local)
    except ModelHubError as exc:
        print(f"modelhub-desktop serve: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, InvalidInput) else 1
    except OSError as exc:
        print(f"modelhub-desktop serve: {exc}", file=sys.stderr)
        return 1
    import uvicorn

    version = local.ref.version or 0
    info = ServeInfo(local.ref.uri, version, int(time.time() * 1000))
    app = build_app(model, info, Stats())
    log.info("serving %s from %s on http://%s:%d (loaded in %.2f s)",
             local.ref.uri, local.path, args.host, args.port, time.perf_counter() - started)
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port,
                                           log_level="info", access_log=False,
                                           timeout_graceful_shutdown=5))
    server.run()
    return 0 if server.started else 1

