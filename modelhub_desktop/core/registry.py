"""RegistryGateway: every MLflow call the app makes, batched, with errors translated.

`import mlflow` is slow (about a second), so it happens lazily in `connect()`, which the
UI only ever calls on a worker thread. The gateway builds MLflow's own store objects
with this profile's credentials (not process-wide environment variables), so two
profiles can be open at once and secrets never touch `os.environ`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from modelhub_desktop.core import artifact_auth
from modelhub_desktop.core.artifact_store import ArtifactEntry, ArtifactStore
from modelhub_desktop.core.domain import (
    Credentials,
    LoggedModel,
    MetricPoint,
    ModelVersion,
    Profile,
    RegisteredModel,
    RunData,
)
from modelhub_desktop.core.errors import ModelHubError, ServerError
from modelhub_desktop.core.mlflow_errors import translate_error
from modelhub_desktop.core.mlflow_import import import_mlflow
from modelhub_desktop.core.mlflow_mapping import (
    to_logged_model,
    to_model,
    to_points,
    to_run,
    to_version,
)
from modelhub_desktop.core.progress import TaskContext, cooperative
from modelhub_desktop.core.registry_writes import RegistryWrites

log = logging.getLogger(__name__)

#: search_model_versions page size: large pages keep the request count ~N/1000.
VERSIONS_PAGE = 1000
#: Run ids per search_runs call (the server's filter parser caps the IN list near 5,000).
#: 100 keeps each response's decoding short enough not to stall the UI.
RUN_ID_CHUNK = 100
MODELS_PAGE = 1000


def quote(value: str) -> str:
    """Quote a value for MLflow's filter syntax (single quotes, backslash-escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def chunked(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RegistryGateway(RegistryWrites):
    """All reads and writes against one profile's tracking server or embedded store."""

    def __init__(self, profile: Profile, credentials: Credentials | None = None) -> None:
        self.profile = profile
        self._credentials = credentials or Credentials()
        self._tracking: Any = None
        self._registry: Any = None
        self._lock = threading.Lock()
        self._experiment_names: dict[str, str] = {}
        self._artifacts = ArtifactStore(profile.tracking_uri, profile.s3_endpoint_url)
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
            out.extend(to_model(m) for m in page)
            token = page.token
            if not token:
                return out

    def get_model(self, name: str) -> RegisteredModel:
        with self._call("get_registered_model"):
            return to_model(self._registry.get_registered_model(name))

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
                to_version(v, tuple(sorted(by_version.get(int(v.version), ())))) for v in page
            ]
            out.extend(batch)
            if on_page and batch:
                on_page(batch)
            if ctx:
                ctx.progress(len(out), len(out) + (VERSIONS_PAGE if page.token else 0), "versions")
            token = page.token
            if not token:
                return out

    def stages(self, model_name: str) -> dict[int, str]:
        """version -> stage of every version, without the alias lookup of `list_versions`
        (one request per 1,000 versions)."""
        out: dict[int, str] = {}
        token = None
        while True:
            with self._call("search_model_versions"):
                page = self._registry.search_model_versions(
                    filter_string=f"name = {quote(model_name)}", max_results=VERSIONS_PAGE,
                    order_by=["version_number DESC"], page_token=token)
            out.update({int(v.version): str(v.current_stage) for v in page})
            token = page.token
            if not token:
                return out

    def search_versions(self, filter_string: str) -> list[ModelVersion]:
        """Versions across models matching a filter (e.g. on a tag), without aliases."""
        out: list[ModelVersion] = []
        token = None
        while True:
            with self._call("search_model_versions"):
                page = self._registry.search_model_versions(
                    filter_string=filter_string, max_results=VERSIONS_PAGE,
                    order_by=["name ASC", "version_number DESC"], page_token=token)
            out.extend(to_version(v, ()) for v in page)
            token = page.token
            if not token:
                return out

    def get_version(self, model_name: str, version: int) -> ModelVersion:
        with self._call("get_model_version"):
            mv = self._registry.get_model_version(model_name, str(version))
        return to_version(mv, tuple(sorted(mv.aliases or ())))

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
                    data = to_run(run, self._experiment_names)
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
        return to_run(run, self._experiment_names)

    def stored_metric_history(self, run_id: str, key: str) -> list[MetricPoint]:
        """One run's history of `key` read from the store itself, in the store's order.

        For the embedded store, which has no bulk endpoint (and no HTTP round trips).
        """
        with self._call("get_metric_history"):
            raw = self._tracking.get_metric_history(run_id, key)
        return to_points(run_id, key, cooperative(raw, every=500))

    # -- logged models and artifact files ---------------------------------------------------
    def get_logged_model(self, model_id: str) -> LoggedModel:
        """An MLflow 3 logged model (servers before 3.0 answer NotFound or an error)."""
        with self._call("get_logged_model"):
            return to_logged_model(self._tracking.get_logged_model(model_id))

    def list_artifacts(self, uri: str) -> list[ArtifactEntry]:
        """Entries directly under the artifact folder `uri` (reasons in words on failure)."""
        self.connect()
        self.calls += 1
        return self._artifacts.list(uri)

    def download_artifact(self, uri: str, dst_dir: Path) -> Path:
        """Download the artifact file or folder `uri` into `dst_dir`."""
        self.connect()
        self.calls += 1
        return self._artifacts.download(uri, dst_dir)

    def read_artifact_text(self, uri: str) -> str:
        """The text of one small artifact file (e.g. an MLmodel)."""
        self.connect()
        self.calls += 1
        return self._artifacts.read_text(uri)

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
