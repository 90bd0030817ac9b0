"""The app's vocabulary: immutable records passed from the gateway to the cache to the UI.

Everything here is a frozen dataclass built from plain values (str, int, float, dict,
tuple) so it can be cached as JSON, compared for "what changed", and handed between
threads without locks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

AuthKind = Literal["none", "basic", "token"]
ProfileSource = Literal["config", "local", "environment", "command-line"]


@dataclass(frozen=True)
class Profile:
    """Where to connect and how. Secrets are NOT stored here; they live in the keychain."""

    name: str
    tracking_uri: str
    auth: AuthKind = "none"
    username: str = ""
    ca_bundle: str = ""
    insecure_tls: bool = False
    ui_url: str = ""
    source: ProfileSource = "config"
    #: S3-compatible artifact store (MinIO, Ceph...); "" = AWS's own endpoints.
    s3_endpoint_url: str = ""
    #: Model registry server when it is not the tracking server (MLFLOW_REGISTRY_URI); "" = same.
    registry_uri: str = ""

    @property
    def is_remote(self) -> bool:
        return self.tracking_uri.startswith(("http://", "https://"))

    @property
    def cache_key(self) -> str:
        """Stable key for per-profile state: profile name plus tracking URI."""
        return f"{self.name}\n{self.tracking_uri}"


@dataclass(frozen=True)
class Credentials:
    """Secret material resolved for one profile at connect time; never persisted."""

    password: str = ""
    token: str = ""

    def __repr__(self) -> str:  # never let a secret reach a log line
        return "Credentials(<redacted>)"


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    description: str = ""
    creation_timestamp: int = 0
    last_updated_timestamp: int = 0
    latest_version: int | None = None
    aliases: dict[str, int] = field(default_factory=dict)  # alias -> version
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelVersion:
    model_name: str
    version: int
    creation_timestamp: int = 0
    last_updated_timestamp: int = 0
    user_id: str = ""
    current_stage: str = "None"
    description: str = ""
    source: str = ""
    run_id: str = ""
    run_link: str = ""
    status: str = "READY"
    status_message: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    model_id: str = ""  # MLflow 3 logged model id

    @property
    def uri(self) -> str:
        return f"models:/{self.model_name}/{self.version}"


@dataclass(frozen=True)
class DatasetInput:
    name: str
    digest: str = ""
    source_type: str = ""
    source: str = ""
    context: str = ""  # e.g. "training", "eval"


@dataclass(frozen=True)
class RunData:
    run_id: str
    run_name: str = ""
    experiment_id: str = ""
    experiment_name: str = ""
    status: str = ""
    lifecycle_stage: str = "active"
    start_time: int | None = None
    end_time: int | None = None
    user_id: str = ""
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    datasets: tuple[DatasetInput, ...] = ()

    @property
    def deleted(self) -> bool:
        """The run was deleted (its data stays readable until the server purges it)."""
        return self.lifecycle_stage == "deleted"

    @property
    def parent_run_id(self) -> str:
        return self.tags.get("mlflow.parentRunId", "")

    @property
    def duration_ms(self) -> int | None:
        if self.start_time is None or self.end_time is None:
            return None
        return self.end_time - self.start_time


@dataclass(frozen=True)
class LoggedModel:
    """An MLflow 3 logged model: the folder a version's files live in."""

    model_id: str
    name: str = ""
    artifact_location: str = ""


@dataclass(frozen=True)
class MetricPoint:
    run_id: str
    key: str
    value: float
    step: int
    timestamp: int


@dataclass(frozen=True)
class Change:
    """One line of "what changed since last sync"."""

    kind: str  # model_added, model_deleted, version_added, version_deleted, alias_moved, ...
    model_name: str
    detail: str
    at: int  # ms since epoch when the sync saw it
    version: int | None = None


@dataclass(frozen=True)
class ServerInfo:
    """Answer of a successful connection test."""

    tracking_uri: str
    server_version: str
    model_count: int


