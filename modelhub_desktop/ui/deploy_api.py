"""What the deploy UI asks of the deploy service, as a Protocol.

The dialogs and views are typed against this, not against a concrete service, so they
can be driven in tests by a small in-memory service and, in the app, by
`core.deploy`'s service. Every call runs on the task runner (writes on the mutation
thread), never on the UI thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from modelhub_desktop.core.deploy.base import (
    DeploymentRecord,
    Health,
    Prediction,
    RequestStats,
)
from modelhub_desktop.core.progress import TaskContext

#: backend kinds, as the records spell them
LOCAL, PYTHON_ENV, TARGET = "local", "python-env", "target"
BACKEND_TITLES = {
    LOCAL: "Local app server",
    PYTHON_ENV: "Python environment",
    TARGET: "Deployment target",
}


class DeployApi(Protocol):
    """The deploy service as the UI sees it."""

    def records(self) -> list[DeploymentRecord]:
        """Persisted records (readable offline)."""
        ...

    def refresh(self) -> list[DeploymentRecord]:
        """Records with their status checked against what really runs."""
        ...

    def serving_path(self, model_uri: str, ctx: TaskContext) -> tuple[str, str]:
        """(the backend kind that applies to serving `model_uri`, the sentence why)."""
        ...

    def create(self, backend: str, name: str, model_uri: str, settings: Mapping[str, str],
               ctx: TaskContext) -> DeploymentRecord: ...

    def update(self, record: DeploymentRecord, model_uri: str,
               ctx: TaskContext) -> DeploymentRecord: ...

    def restart(self, record: DeploymentRecord, ctx: TaskContext) -> DeploymentRecord:
        """Start a stopped or failed deployment again, on its port."""
        ...

    def stop(self, record: DeploymentRecord) -> DeploymentRecord: ...

    def delete(self, record: DeploymentRecord) -> None: ...

    def logs(self, record: DeploymentRecord, lines: int = 200) -> str: ...

    def health(self, record: DeploymentRecord) -> Health: ...

    def stats(self, record: DeploymentRecord) -> RequestStats | None:
        """Traffic figures (local deployments only; None elsewhere)."""
        ...

    def predict(self, record: DeploymentRecord, payload: object) -> Prediction: ...

    def shutdown(self) -> None:
        """Stop what does not keep running after the app quits."""
        ...

