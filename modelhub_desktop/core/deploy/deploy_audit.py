"""Deployments in the model's governance audit trail (docs/audit-schema.md's format).

Creating, switching and deleting a deployment each add one chained audit event to the
registered model (`deploy.create`, `deploy.update`, `deploy.delete`; target
`deployment:<name>`; from/to are version numbers). The deployment itself never depends
on it: when the tag cannot be written (no EDIT permission, server offline) the caller
keeps the deployment and shows the sentence returned here.
"""

from __future__ import annotations

import time
from typing import Protocol

from modelhub_desktop.core import audit
from modelhub_desktop.core.domain import RegisteredModel
from modelhub_desktop.core.errors import ModelHubError, PermissionDenied

CREATE, UPDATE, DELETE = "deploy.create", "deploy.update", "deploy.delete"


class AuditSink(Protocol):
    """Where deployment events go: the model's tags, through the gateway."""

    def get_model(self, name: str) -> RegisteredModel: ...
    def set_model_tag(self, model_name: str, key: str, value: str) -> None: ...


def record_deploy_event(sink: AuditSink, model_name: str, *, who: str, action: str,
                        deployment: str, from_version: int | None, to_version: int | None,
                        reason: str = "") -> str:
    """Write the event; "" when it is stored, else why the audit entry is missing."""
    try:
        model = sink.get_model(model_name)
        events, _ = audit.read_tags(model.tags)
        event = audit.next_event(
            events, who=who, when=int(time.time() * 1000), action=action,
            target=f"deployment:{deployment}",
            from_="" if from_version is None else str(from_version),
            to="" if to_version is None else str(to_version), reason=reason)
        key, value = audit.encode(event)
        sink.set_model_tag(model_name, key, value)
    except PermissionDenied:
        return (f"Audit entry missing: you may deploy {model_name}, but not write its tags "
                "(EDIT permission), so the audit trail does not show this deployment.")
    except ModelHubError as exc:
        return f"Audit entry missing: {exc}"
    return ""
