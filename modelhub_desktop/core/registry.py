"""RegistryGateway: every MLflow call the app makes, batched, with errors translated.

`import mlflow` is slow (about a second), so it happens lazily in `connect()`, which the
UI only ever calls on a worker thread. The gateway builds MLflow's own store objects
with this profile's credentials (not process-wide environment variables), so two
profiles can be open at once and secrets never touch `os.environ`.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from modelhub_desktop.core import artifact_auth
from modelhub_desktop.core.domain import (
    Credentials,
    DatasetInput,
    ModelVersion,
    Profile,
    RegisteredModel,
    RunData,
)
from modelhub_desktop.core.errors import (
    AuthFailed,
    InvalidInput,
    ModelHubError,
    NotFound,
    NotMlflowServer,
    PermissionDenied,
    ServerError,
    TlsFailed,
    Unreachable,
)
from modelhub_desktop.core.progress import TaskContext, cooperative

log = logging.getLogger(__name__)

#: search_model_versions page size: large pages keep the request count ~N/1000.
VERSIONS_PAGE = 1000
#: Run ids per search_runs call (the server's filter parser caps the IN list near 5,000).
#: 100 keeps each response's decoding short enough not to stall the UI.
RUN_ID_CHUNK = 100
MODELS_PAGE = 1000

_HTTP_DEFAULTS = {
    # MlflowClient's defaults (7 retries, 120 s) make a dead server hang for minutes.
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
    "MLFLOW_DISABLE_TELEMETRY": "true",
}
_import_lock = threading.Lock()


def import_mlflow() -> Any:
    """Import mlflow once, with the app's HTTP defaults applied first."""
    with _import_lock:
        for key, value in _HTTP_DEFAULTS.items():
            os.environ.setdefault(key, value)
        already = "mlflow" in sys.modules
        import mlflow

        if not already:
            # mlflow's own loggers are set up at import; keep their chatter out of the UI's way
            logging.getLogger("mlflow").setLevel(logging.WARNING)
            # mlflow brings hundreds of thousands of long-lived objects; moving them out of
            # the collector's reach keeps full collections (which hold the GIL and so
            # freeze the UI thread) short.
            gc.freeze()
        return mlflow


def quote(value: str) -> str:
    """Quote a value for MLflow's filter syntax (single quotes, backslash-escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def chunked(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def translate_error(exc: BaseException, where: str = "") -> ModelHubError:
    """Map MLflow/requests exceptions to the app's error kinds, with secret-free text."""
    if isinstance(exc, ModelHubError):
        return exc
    import requests

    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 10:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    http_status = next((item.response.status_code for item in chain
                        if isinstance(item, requests.exceptions.HTTPError)
                        and item.response is not None), None)
    # a server that answered is judged by its status below, not as a broken connection
    for item in chain if http_status is None else []:
        if isinstance(item, requests.exceptions.SSLError):
            return TlsFailed(
                f"TLS handshake failed{where}. Set a CA bundle in the profile, or skip "
                "verification if you trust this network."
            )
        if isinstance(item, requests.exceptions.RetryError):
            return ServerError(f"The server kept answering with errors{where} (HTTP 5xx); "
                               "it may be overloaded or misconfigured.")
        if isinstance(item, requests.exceptions.Timeout) or (
            isinstance(item, requests.exceptions.ConnectionError) and "timed out" in str(item)
        ):
            return Unreachable(f"The server did not answer in time{where}.")
        if isinstance(item, requests.exceptions.ConnectionError):
            return Unreachable(f"Cannot reach the server{where}: connection failed.")
        if isinstance(item, requests.exceptions.RequestException):
            return Unreachable(f"The connection broke while reading the server's answer{where}.")
    text = str(exc)
    code = getattr(exc, "error_code", "") or ""
    status = http_status
    if status is None and hasattr(exc, "get_http_status_code"):
        try:
            status = exc.get_http_status_code()
        except Exception:  # noqa: BLE001
            status = None
    if (status is not None and status >= 500) or code in ("INTERNAL_ERROR",
                                                          "TEMPORARILY_UNAVAILABLE"):
        return ServerError(f"The server had an internal error{where} (HTTP {status or 500}); "
                           "it may be overloaded or misconfigured.")
    if "Max retries exceeded" in text and "too many 5" in text:
        return ServerError(f"The server kept answering with errors{where}.")
    if code in ("UNAUTHENTICATED", "CUSTOMER_UNAUTHORIZED") or status == 401 or " 401 " in text:
        return AuthFailed(
            "The server rejected the credentials (HTTP 401). Check user and password."
        )
    if code == "PERMISSION_DENIED" or status == 403 or " 403 " in text:
        return PermissionDenied(f"You do not have permission for this{where} (HTTP 403).")
    if code in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND") or status == 404:
        return NotFound(_first_line(text) or f"Not found{where}.")
    if code in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST", "INVALID_STATE") or status == 400:
        return InvalidInput(_first_line(text))
    if "Max retries exceeded" in text or "Connection refused" in text:
        return Unreachable(f"Cannot reach the server{where}: connection failed.")
    if "Response body" in text and "<html" in text.lower():
        return NotMlflowServer("The server answered, but not with MLflow's REST API.")
    return ModelHubError(_first_line(text) or type(exc).__name__)


def _first_line(text: str, limit: int = 300) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:limit]


class RegistryGateway:
    """All reads and writes against one profile's tracking server or embedded store."""

    def __init__(self, profile: Profile, credentials: Credentials | None = None) -> None:
        self.profile = profile
        self._credentials = credentials or Credentials()
        self._tracking: Any = None
        self._registry: Any = None
        self._lock = threading.Lock()
        self._experiment_names: dict[str, str] = {}
        #: Number of store calls made; tests and benchmarks read it.
        self.calls = 0

    # -- connection ---------------------------------------------------------------------
    def host_creds(self) -> Any:
        from mlflow.utils.rest_utils import MlflowHostCreds

        p, c = self.profile, self._credentials
        return MlflowHostCreds(
            host=p.tracking_uri.rstrip("/"),
            username=p.username if p.auth == "basic" else None,
            password=c.password if p.auth == "basic" else None,
            token=c.token if p.auth == "token" else None,
            ignore_tls_verification=p.insecure_tls,
            server_cert_path=p.ca_bundle or None,
        )

    def connect(self) -> None:
        """Import mlflow and build the stores (slow: call on a worker thread)."""
        with self._lock:
            if self._tracking is not None:
                return
            import_mlflow()
            uri = self.profile.tracking_uri
            if self.profile.is_remote:
                from mlflow.store.model_registry.rest_store import RestStore as RegistryRest
                from mlflow.store.tracking.rest_store import RestStore as TrackingRest

                creds = self.host_creds()
                self._tracking = TrackingRest(lambda: creds)
                self._registry = RegistryRest(lambda: creds)
                if self.profile.auth != "none":
                    artifact_auth.register(uri, creds)
            else:
                self._tracking, self._registry = _local_stores(uri)

    def ping(self, timeout: float = 3.0) -> None:
        """Fail fast (no retries, no mlflow import) if the server is down.

        Going offline must not wait for the slow mlflow import or for retries.
        """
        if not self.profile.is_remote:
            return
        import requests

        from modelhub_desktop.core.connection import request_kwargs

        url = self.profile.tracking_uri.rstrip("/") + "/health"
        try:
            resp = requests.get(url, timeout=timeout,
                                **request_kwargs(self.profile, self._credentials))
        except requests.RequestException as exc:
            raise translate_error(exc, " at " + self.profile.tracking_uri) from None
        if resp.status_code >= 500:
            raise ServerError(f"The server answered with HTTP {resp.status_code}.")

    @contextmanager
    def _call(self, what: str) -> Iterator[None]:
        self.connect()
        self.calls += 1
        try:
            yield
        except ModelHubError:
            raise
        except Exception as exc:  # noqa: BLE001 - translated for the UI
            log.info("gateway call failed: %s: %s", what, type(exc).__name__)
            raise translate_error(exc) from None

    # -- registered models ----------------------------------------------------------------
    def list_models(
        self, filter_string: str = "", ctx: TaskContext | None = None
    ) -> list[RegisteredModel]:
        """Every registered model (optionally filtered by MLflow's filter syntax)."""
        out: list[RegisteredModel] = []
        token = None
        while True:
            if ctx:
                ctx.check()
            with self._call("search_registered_models"):
                page = self._registry.search_registered_models(
                    filter_string=filter_string or None,
                    max_results=MODELS_PAGE,
                    order_by=["name ASC"],
                    page_token=token,
                )
            out.extend(_to_model(m) for m in page)
            token = page.token
            if not token:
                return out

    def get_model(self, name: str) -> RegisteredModel:
        with self._call("get_registered_model"):
            return _to_model(self._registry.get_registered_model(name))

    # -- versions --------------------------------------------------------------------------
    def list_versions(
        self,
        model_name: str,
        ctx: TaskContext | None = None,
        on_page: Callable[[list[ModelVersion]], None] | None = None,
    ) -> list[ModelVersion]:
        """All versions of a model, newest first, with aliases merged in.

        `search_model_versions` returns `aliases=[]`, so aliases come from one
        `get_registered_model` call.
        """
        model = self.get_model(model_name)
        by_version: dict[int, list[str]] = {}
        for alias, version in model.aliases.items():
            by_version.setdefault(version, []).append(alias)
        out: list[ModelVersion] = []
        token = None
        filt = f"name = {quote(model_name)}"
        while True:
            if ctx:
                ctx.check()
            with self._call("search_model_versions"):
                page = self._registry.search_model_versions(
                    filter_string=filt,
                    max_results=VERSIONS_PAGE,
                    order_by=["version_number DESC"],
                    page_token=token,
                )
            batch = [
                _to_version(v, tuple(sorted(by_version.get(int(v.version), ())))) for v in page
            ]
            out.extend(batch)
            if on_page and batch:
                on_page(batch)
            if ctx:
                ctx.progress(len(out), len(out) + (VERSIONS_PAGE if page.token else 0), "versions")
            token = page.token
            if not token:
                return out

    def get_version(self, model_name: str, version: int) -> ModelVersion:
        with self._call("get_model_version"):
            mv = self._registry.get_model_version(model_name, str(version))
        return _to_version(mv, tuple(sorted(mv.aliases or ())))

    # -- runs --------------------------------------------------------------------------------
    def experiment_names(self) -> dict[str, str]:
        """experiment_id -> name, all lifecycle stages, cached per gateway."""
        from mlflow.entities import ViewType

        names: dict[str, str] = {}
        token = None
        while True:
            with self._call("search_experiments"):
                page = self._tracking.search_experiments(
                    view_type=ViewType.ALL, max_results=1000, page_token=token
                )
            names.update({e.experiment_id: e.name for e in page})
            token = page.token
            if not token:
                break
        self._experiment_names = names
        return names

    def get_runs(
        self, run_ids: Iterable[str], ctx: TaskContext | None = None
    ) -> dict[str, RunData]:
        """Runs by id, fetched with `search_runs(... run_id IN (...))` in chunks.

        The experiment list is fetched once per gateway; if some runs are not found it is
        fetched again (a new experiment may have appeared). Runs that no longer exist are
        simply absent from the result.
        """
        ids = sorted({r for r in run_ids if r})
        if not ids:
            return {}
        fresh = not self._experiment_names
        names = self.experiment_names() if fresh else self._experiment_names
        out = self._search_runs_by_id(ids, list(names), ctx)
        missing = [r for r in ids if r not in out]
        if missing and not fresh:
            new_ids = set(self.experiment_names()) - set(names)
            if new_ids:
                out.update(self._search_runs_by_id(missing, sorted(new_ids), ctx))
        return out

    def _search_runs_by_id(
        self, ids: list[str], exp_ids: list[str], ctx: TaskContext | None
    ) -> dict[str, RunData]:
        from mlflow.entities import ViewType

        out: dict[str, RunData] = {}
        for i, chunk in enumerate(chunked(ids, RUN_ID_CHUNK)):
            if ctx:
                ctx.check()
                ctx.progress(i * RUN_ID_CHUNK, len(ids), "runs")
            filt = "attributes.run_id IN (" + ",".join(quote(r) for r in chunk) + ")"
            token = None
            while True:
                with self._call("search_runs"):
                    page = self._tracking.search_runs(
                        experiment_ids=exp_ids, filter_string=filt,
                        run_view_type=ViewType.ALL, max_results=len(chunk), page_token=token,
                    )
                for run in cooperative(page):
                    data = _to_run(run, self._experiment_names)
                    out[data.run_id] = data
                token = page.token
                if not token:
                    break
        return out

    def get_run(self, run_id: str) -> RunData:
        with self._call("get_run"):
            run = self._tracking.get_run(run_id)
        if not self._experiment_names:
            self.experiment_names()
        return _to_run(run, self._experiment_names)

    # -- writes ----------------------------------------------------------------------------
    def set_alias(self, model_name: str, alias: str, version: int) -> None:
        with self._call("set_registered_model_alias"):
            self._registry.set_registered_model_alias(model_name, alias, str(version))

    def delete_alias(self, model_name: str, alias: str) -> None:
        with self._call("delete_registered_model_alias"):
            self._registry.delete_registered_model_alias(model_name, alias)


def _local_stores(uri: str) -> tuple[Any, Any]:
    from mlflow.tracking._model_registry import utils as reg_utils
    from mlflow.tracking._tracking_service import utils as trk_utils

    return trk_utils._get_store(uri), reg_utils._get_store(uri)


def _to_model(m: Any) -> RegisteredModel:
    latest = [int(v.version) for v in (m.latest_versions or [])]
    raw = getattr(m, "aliases", None) or {}
    if isinstance(raw, dict):
        aliases = {str(k): int(v) for k, v in raw.items()}
    else:
        aliases = {a.alias: int(a.version) for a in raw}
    return RegisteredModel(
        name=m.name,
        description=m.description or "",
        creation_timestamp=int(m.creation_timestamp or 0),
        last_updated_timestamp=int(m.last_updated_timestamp or 0),
        latest_version=max(latest) if latest else None,
        aliases=aliases,
        tags=dict(m.tags or {}),
    )


def _to_version(v: Any, aliases: tuple[str, ...]) -> ModelVersion:
    return ModelVersion(
        model_name=v.name,
        version=int(v.version),
        creation_timestamp=int(v.creation_timestamp or 0),
        last_updated_timestamp=int(v.last_updated_timestamp or 0),
        user_id=v.user_id or "",
        current_stage=v.current_stage or "None",
        description=v.description or "",
        source=v.source or "",
        run_id=v.run_id or "",
        run_link=v.run_link or "",
        status=str(v.status or "READY"),
        status_message=v.status_message or "",
        tags=dict(v.tags or {}),
        aliases=aliases,
        model_id=getattr(v, "model_id", None) or _logged_model_id(v.source or ""),
    )


def _logged_model_id(source: str) -> str:
    """MLflow 3 versions registered from a logged model have source `models:/m-<id>`."""
    if source.startswith("models:/m-"):
        return source[len("models:/"):].split("/")[0]
    return ""


def _to_run(run: Any, experiment_names: dict[str, str]) -> RunData:
    info, data = run.info, run.data
    datasets: list[DatasetInput] = []
    inputs = getattr(run, "inputs", None)
    for d in getattr(inputs, "dataset_inputs", None) or []:
        ctx = next((t.value for t in d.tags or [] if t.key == "mlflow.data.context"), "")
        ds = d.dataset
        datasets.append(
            DatasetInput(ds.name, ds.digest or "", ds.source_type or "", ds.source or "", ctx)
        )
    return RunData(
        run_id=info.run_id,
        run_name=info.run_name or "",
        experiment_id=str(info.experiment_id),
        experiment_name=experiment_names.get(str(info.experiment_id), ""),
        status=str(info.status or ""),
        lifecycle_stage=info.lifecycle_stage or "active",
        start_time=info.start_time,
        end_time=info.end_time,
        user_id=info.user_id or "",
        params=dict(data.params or {}),
        metrics={k: float(v) for k, v in (data.metrics or {}).items()},
        tags=dict(data.tags or {}),
        datasets=tuple(datasets),
    )
