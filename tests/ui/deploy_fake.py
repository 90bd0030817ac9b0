"""An in-memory deploy service for the deploy UI's unit tests (the real backends and
service have their own end-to-end tests against a real served model).

Predictions are worked out from the payload so an answer can be checked: each row's
first value times the served version. `hold` makes the next create/update wait until
cancelled or released (progress and Cancel); `fail_with` makes the next write fail.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from modelhub_desktop.core.deploy.base import (
    RUNNING,
    STOPPED,
    DeploymentRecord,
    Health,
    Prediction,
    RequestStats,
)
from modelhub_desktop.core.deploy.fetch import parse_model_uri
from modelhub_desktop.core.errors import ModelHubError
from modelhub_desktop.core.progress import TaskContext


def record(name: str, model: str, version: int, alias: str = "", status: str = RUNNING,
           port: int = 5000) -> DeploymentRecord:
    uri = f"models:/{model}@{alias}" if alias else f"models:/{model}/{version}"
    return DeploymentRecord(name=name, backend="local", model_uri=uri, model_name=model,
                            version=version, alias=alias, endpoint=f"http://127.0.0.1:{port}",
                            status=status, created_at=1_700_000_000_000 + port,
                            settings={"port": str(port), "host": "127.0.0.1"})


@dataclass
class FakeDeployService:
    aliases: dict[str, dict[str, int]] = field(default_factory=dict)
    store: dict[str, DeploymentRecord] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    path: tuple[str, str] = ("local", "it is scikit-learn: the app serves it itself.")
    fail_with: ModelHubError | None = None
    hold: threading.Event | None = None
    logs_text: str = "INFO: Uvicorn running on http://127.0.0.1:5000"
    requests: int = 0
    shut_down: int = 0

    # -- reads -----------------------------------------------------------------------------
    def records(self) -> list[DeploymentRecord]:
        return list(self.store.values())

    def refresh(self) -> list[DeploymentRecord]:
        return list(self.store.values())

    def serving_path(self, model_uri: str, ctx: TaskContext) -> tuple[str, str]:
        self.calls.append(("serving_path", model_uri))
        return self.path

    def logs(self, record: DeploymentRecord, lines: int = 200) -> str:
        return self.logs_text

    def health(self, record: DeploymentRecord) -> Health:
        live = self.store.get(record.name)
        ok = live is not None and live.status == RUNNING
        return Health(int(time.time() * 1000), ok, 1.5 if ok else None,
                      "" if ok else "not running")

    def stats(self, record: DeploymentRecord) -> RequestStats | None:
        return RequestStats(self.requests, 0, 3.0, 9.0, 12.0)

    def predict(self, record: DeploymentRecord, payload: object) -> Prediction:
        self.requests += 1
        live = self.store[record.name]
        rows = payload["dataframe_split"]["data"]  # type: ignore[index]
        return Prediction(200, {"predictions": [row[0] * live.version for row in rows]}, 4.0)

    # -- writes ----------------------------------------------------------------------------
    def _wait(self, ctx: TaskContext) -> None:
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error
        if self.hold is not None:
            ctx.progress(1, 3, "Downloading the model…")
            while not self.hold.wait(0.02):
                ctx.check()

    def _version(self, model_uri: str) -> tuple[str, int, str]:
        ref = parse_model_uri(model_uri)
        if ref.version is not None:
            return ref.name, ref.version, ""
        return ref.name, self.aliases[ref.name][ref.alias], ref.alias

    def create(self, backend: str, name: str, model_uri: str, settings: Mapping[str, str],
               ctx: TaskContext) -> DeploymentRecord:
        self.calls.append(("create", f"{backend} {name} {model_uri}"))
        self._wait(ctx)
        model, version, alias = self._version(model_uri)
        made = DeploymentRecord(name=name, backend=backend, model_uri=model_uri,
                                model_name=model, version=version, alias=alias,
                                endpoint=f"http://{settings.get('host')}:{settings.get('port')}",
                                status=RUNNING, created_at=int(time.time() * 1000),
                                settings=dict(settings))
        self.store[name] = made
        return made

    def update(self, record: DeploymentRecord, model_uri: str,
               ctx: TaskContext) -> DeploymentRecord:
        self.calls.append(("update", f"{record.name} {model_uri}"))
        self._wait(ctx)
        _model, version, alias = self._version(model_uri)
        made = replace(self.store[record.name], model_uri=model_uri, version=version,
                       alias=alias)
        self.store[record.name] = made
        return made

    def restart(self, record: DeploymentRecord, ctx: TaskContext) -> DeploymentRecord:
        self.calls.append(("restart", record.name))
        self._wait(ctx)
        made = replace(self.store[record.name], status=RUNNING)
        self.store[record.name] = made
        return made

    def stop(self, record: DeploymentRecord) -> DeploymentRecord:
        self.calls.append(("stop", record.name))
        self._wait(TaskContext())
        made = replace(self.store[record.name], status=STOPPED)
        self.store[record.name] = made
        return made

    def delete(self, record: DeploymentRecord) -> None:
        self.calls.append(("delete", record.name))
        self._wait(TaskContext())
        del self.store[record.name]

    def shutdown(self) -> None:
        self.shut_down += 1
