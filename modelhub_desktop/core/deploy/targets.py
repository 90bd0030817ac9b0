"""Deployments on any MLflow deployments target: `mlflow.deployments.get_deploy_client`.

Targets come from plugins registered under the `mlflow.deployments` entry point
(sagemaker, databricks and http(s) are built in). A target's own error messages are shown
as they are, prefixed with the target's name; a target without an installed plugin gets
a message naming it and how to install one. Calls run with the profile's tracking URI in
effect, so a plugin that resolves `models:/` URIs reads the right registry.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from modelhub_desktop.core.deploy.base import (
    FAILED,
    RUNNING,
    DeploymentRecord,
    Health,
    PluginMissing,
    Prediction,
    RequestStats,
)
from modelhub_desktop.core.deploy.fetch import parse_model_uri
from modelhub_desktop.core.errors import InvalidInput, ModelHubError
from modelhub_desktop.core.mlflow_import import import_mlflow
from modelhub_desktop.core.progress import TaskContext

PREFIX = "target:"
_uri_lock = threading.Lock()


class TargetError(ModelHubError):
    """The deployment target refused or failed; its own words follow."""

    title = "Deployment target error"


def installed_targets() -> list[str]:
    """Target names plugins provide through the `mlflow.deployments` entry point."""
    from importlib.metadata import entry_points

    return sorted({ep.name for ep in entry_points(group="mlflow.deployments")})


def parse_config(text: str) -> dict[str, Any]:
    """A target's JSON config (an object); InvalidInput saying where it is wrong."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The target config is not valid JSON: {exc.msg} at line "
                           f"{exc.lineno}, column {exc.colno}.") from None
    if not isinstance(value, dict):
        raise InvalidInput("The target config must be a JSON object ({\"key\": \"value\"}).")
    return value


def plain(value: Any) -> Any:
    """A target's answer as JSON-ready values (DataFrames, numpy, custom objects...)."""
    if hasattr(value, "to_dict") and not isinstance(value, dict):
        try:
            value = value.to_dict()
        except TypeError:
            pass
    return json.loads(json.dumps(value, default=str))


class TargetBackend:
    """One target URI (e.g. `sagemaker:/us-east-1`, `modelhub-test`) with its config."""

    kind = "target"

    def __init__(self, target_uri: str, tracking_uri: str = "",
                 config: Mapping[str, Any] | None = None) -> None:
        self.target_uri = target_uri.strip()
        self.tracking_uri = tracking_uri
        self.config = dict(config or {})
        self._client: Any = None

    @property
    def backend(self) -> str:
        return PREFIX + self.target_uri

    # -- the plugin --------------------------------------------------------------------------
    def client(self) -> Any:
        if self._client is not None:
            return self._client
        import_mlflow()
        from mlflow.deployments import get_deploy_client
        from mlflow.exceptions import MlflowException

        try:
            client = get_deploy_client(self.target_uri)
        except MlflowException as exc:
            if "No plugin found" in str(exc):
                raise self._missing() from None
            raise TargetError(f"{self.target_uri}: {exc.message}") from None
        except Exception as exc:  # noqa: BLE001 - a broken plugin: its words
            raise TargetError(f"{self.target_uri}: {exc}") from None
        if client is None:
            raise self._missing()
        self._client = client
        return client

    def _missing(self) -> PluginMissing:
        name = self.target_uri.split(":")[0]
        found = ", ".join(installed_targets()) or "none besides MLflow's built-in ones"
        return PluginMissing(
            f"No deployment plugin for target {name!r} is installed. Install the package "
            f"that provides it into the Python the app runs in (e.g. `pip install "
            f"mlflow-{name}` or the vendor's plugin), then restart the app. Installed "
            f"targets: {found}."
        )

    @contextmanager
    def _calling(self, what: str) -> Iterator[Any]:
        """The client, with the profile's registry in effect; target errors in its words."""
        client = self.client()
        with _uri_lock, _tracking_uri(self.tracking_uri):
            try:
                yield client
            except ModelHubError:
                raise
            except Exception as exc:  # noqa: BLE001 - shown as the target said it
                message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
                raise TargetError(f"{self.target_uri} could not {what}: {message}") from None

    # -- DeployBackend -------------------------------------------------------------------------
    def create(self, name: str, model_uri: str, settings: Mapping[str, str],
               ctx: TaskContext) -> DeploymentRecord:
        ref = parse_model_uri(model_uri)
        config = {**self.config, **parse_config(settings.get("config", ""))}
        with self._calling("create the deployment") as client:
            answer = client.create_deployment(name, model_uri, flavor=settings.get("flavor")
                                              or None, config=config or None)
        at = int(time.time() * 1000)
        record = DeploymentRecord(
            name=name, backend=self.backend, model_uri=model_uri, model_name=ref.name,
            version=ref.version or 0, status=RUNNING, created_at=at, updated_at=at,
            settings={k: str(v) for k, v in settings.items()},
        )
        return self._merge(record, answer)

    def update(self, record: DeploymentRecord, model_uri: str,
               ctx: TaskContext) -> DeploymentRecord:
        ref = parse_model_uri(model_uri)
        config = {**self.config, **parse_config(record.settings.get("config", ""))}
        with self._calling("update the deployment") as client:
            answer = client.update_deployment(record.name, model_uri=model_uri,
                                              config=config or None)
        updated = replace(record, model_uri=model_uri, model_name=ref.name,
                          version=ref.version or 0, updated_at=int(time.time() * 1000))
        return self._merge(updated, answer)

    def stop(self, record: DeploymentRecord) -> DeploymentRecord:
        raise InvalidInput(f"{self.target_uri} deployments cannot be stopped from the app, "
                           "only deleted.")

    def delete(self, record: DeploymentRecord) -> None:
        config = {**self.config, **parse_config(record.settings.get("config", ""))}
        with self._calling("delete the deployment") as client:
            client.delete_deployment(record.name, config=config or None)

    def list(self) -> list[DeploymentRecord]:
        with self._calling("list deployments") as client:
            found = client.list_deployments()
        out = []
        for item in found or []:
            info = plain(item) if not isinstance(item, dict) else item
            name = str(info.get("name", "")) if isinstance(info, dict) else ""
            if not name:
                continue
            uri = str(info.get("model_uri", ""))
            try:
                ref = parse_model_uri(uri)
                model_name, version = ref.name, ref.version or 0
            except InvalidInput:
                model_name, version = "", 0
            record = DeploymentRecord(name=name, backend=self.backend, model_uri=uri,
                                      model_name=model_name, version=version)
            out.append(self._merge(record, info))
        return out

    def status(self, record: DeploymentRecord) -> DeploymentRecord:
        try:
            with self._calling("read the deployment") as client:
                info = client.get_deployment(record.name)
        except TargetError as exc:
            return replace(record, status=FAILED, status_detail=str(exc))
        return self._merge(record, info)

    def health(self, record: DeploymentRecord) -> Health:
        started = time.perf_counter()
        checked = self.status(record)
        ms = (time.perf_counter() - started) * 1000
        return Health(int(time.time() * 1000), checked.status == RUNNING, round(ms, 3),
                      checked.status_detail)

    def logs(self, record: DeploymentRecord, lines: int = 200) -> str:
        return (f"{self.target_uri} keeps its own logs; the app cannot read them. "
                f"Last status: {record.status_detail or record.status}.")

    def predict(self, record: DeploymentRecord, payload: object) -> Prediction:
        inputs = json.loads(payload) if isinstance(payload, str) else payload
        started = time.perf_counter()
        try:
            with self._calling("predict") as client:
                answer = client.predict(deployment_name=record.name, inputs=inputs)
        except TargetError as exc:
            return Prediction(0, None, (time.perf_counter() - started) * 1000, str(exc))
        ms = (time.perf_counter() - started) * 1000
        return Prediction(200, plain(answer), round(ms, 3))

    def stats(self, record: DeploymentRecord) -> RequestStats | None:
        return None

    @staticmethod
    def _merge(record: DeploymentRecord, answer: object) -> DeploymentRecord:
        """Status and endpoint from what the target answered, when it says them."""
        info = plain(answer) if answer is not None and not isinstance(answer, dict) else answer
        if not isinstance(info, dict):
            return replace(record, status=RUNNING)
        raw_status = str(info.get("status") or info.get("state") or "").lower()
        failed = raw_status in ("failed", "error", "stopped", "deleted")
        endpoint = str(info.get("endpoint") or info.get("url") or record.endpoint)
        return replace(record, status=FAILED if failed else RUNNING, endpoint=endpoint,
                       status_detail=f"The target says: {raw_status}." if failed else "")


@contextmanager
def _tracking_uri(uri: str) -> Iterator[None]:
    """MLflow's fluent tracking/registry URI set to `uri` for the duration."""
    if not uri:
        yield
        return
    from mlflow.tracking._model_registry import utils as registry_utils
    from mlflow.tracking._tracking_service import utils as tracking_utils

    tracking: Any = tracking_utils
    registry: Any = registry_utils
    saved_env = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    saved = (tracking._tracking_uri, registry._registry_uri)
    tracking._tracking_uri = uri
    registry._registry_uri = uri
    try:
        yield
    finally:
        tracking._tracking_uri, registry._registry_uri = saved
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


