"""What every deploy backend offers, and the records the app keeps of deployments.

A backend is plain Python (no Qt): the UI runs its calls on the task runner, writes
(create, update, stop, delete) on the mutation thread. Records are persisted in the
cache so the deployments view reads offline and survives restarts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from modelhub_desktop.core.errors import ModelHubError
from modelhub_desktop.core.progress import TaskContext

#: Deployment.status values
STARTING, RUNNING, STOPPED, FAILED, UNKNOWN = "starting", "running", "stopped", "failed", "unknown"


@dataclass(frozen=True)
class DeploymentRecord:
    """One deployment as the app knows it (what the deployments view lists)."""

    name: str
    backend: str  # "local", "python-env", or "target:<target-uri>"
    model_uri: str  # models:/<name>/<version> or models:/<name>@<alias>
    model_name: str
    version: int  # the version actually served
    alias: str = ""  # the alias followed, "" when pinned to a version
    endpoint: str = ""  # base URL, e.g. http://127.0.0.1:5001
    status: str = UNKNOWN
    status_detail: str = ""  # why failed/stopped, in words
    created_at: int = 0  # ms since epoch
    updated_at: int = 0
    created_by: str = ""
    settings: Mapping[str, str] = field(default_factory=dict)  # port, host, env manager...
    profile_key: str = ""  # the connection profile the model came from
    pid: int = 0  # local/python-env: the serving process (0 = none running)
    log_path: str = ""  # local/python-env: where the serving process writes its log
    keep_running: bool = False  # local/python-env: leave it running when the app quits
    audit_note: str = ""  # "" when the last change is in the model's audit trail, else why not


class DeployFailed(ModelHubError):
    """A deployment could not be started, or its serving process died."""

    title = "Deployment failed"


class PluginMissing(ModelHubError):
    """No installed package provides the requested mlflow.deployments target."""

    title = "Deployment target not installed"


@dataclass(frozen=True)
class Health:
    """One health probe of a deployment."""

    at: int  # ms since epoch
    ok: bool
    latency_ms: float | None = None
    detail: str = ""


@dataclass(frozen=True)
class RequestStats:
    """Traffic of a (local) deployment since it started."""

    requests: int = 0
    errors: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None


@dataclass(frozen=True)
class Prediction:
    """A prediction answer: the parsed JSON, the status code, the time it took."""

    status: int
    body: object
    latency_ms: float
    error: str = ""  # "" when the server answered 200 with JSON


class DeployBackend(Protocol):
    """A place deployments run. Errors are `ModelHubError`s with words a user can act on."""

    kind: str  # "local", "python-env", "target"

    def create(self, name: str, model_uri: str, settings: Mapping[str, str],
               ctx: TaskContext) -> DeploymentRecord: ...

    def update(self, record: DeploymentRecord, model_uri: str,
               ctx: TaskContext) -> DeploymentRecord: ...

    def stop(self, record: DeploymentRecord) -> DeploymentRecord: ...

    def delete(self, record: DeploymentRecord) -> None: ...

    def list(self) -> list[DeploymentRecord]: ...

    def status(self, record: DeploymentRecord) -> DeploymentRecord: ...

    def health(self, record: DeploymentRecord) -> Health: ...

    def logs(self, record: DeploymentRecord, lines: int = 200) -> str: ...

    def predict(self, record: DeploymentRecord, payload: object) -> Prediction: ...
