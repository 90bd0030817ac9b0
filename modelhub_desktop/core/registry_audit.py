"""The registry-wide audit log: events that outlive the model they are about.

Deleting a registered model deletes its tags, and with them its audit chain; a rename
leaves no trace under the old name. These events are written as tags on a dedicated
MLflow experiment, "ModelHub audit" (created on first use), in the same format and with
its own hash chain (core/audit.py, docs/audit-schema.md), so any client that can read
the experiment finds who deleted or renamed which model, when and why.

Before a delete, `open_log` makes sure the entry can be written (the experiment exists
and this user may tag it) so the caller can ask the user before deleting without one.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from modelhub_desktop.core import audit
from modelhub_desktop.core.errors import ModelHubError, NotFound, PermissionDenied

EXPERIMENT_NAME = "ModelHub audit"
#: Written (same value) before each event: a harmless write that proves the user may tag
#: the experiment. Not under the audit prefix, so chain readers skip it.
SCHEMA_TAG = "modelhub.registry_audit.schema"
SCHEMA_TAG_VALUE = "1"
#: The cache mirror keeps these events under this pseudo model name (no model has it).
CACHE_SCOPE = ""
#: Actions written here; `target` is "model", `from`/`to` are model names.
DELETE, RENAME = "model.delete", "model.rename"


class AuditLogUnavailable(ModelHubError):
    """The registry-wide audit entry cannot be written (permission, deleted experiment)."""

    title = "Audit entry cannot be written"


@dataclass(frozen=True)
class AuditExperiment:
    """The log experiment as read from the server."""

    experiment_id: str
    tags: Mapping[str, str] = field(default_factory=dict)
    lifecycle_stage: str = "active"

    @property
    def audit_tags(self) -> dict[str, str]:
        return {k: v for k, v in self.tags.items() if audit.is_audit_key(k)}


class RegistryAuditGateway(Protocol):
    """The tracking-store calls the log needs (RegistryGateway has them)."""

    def get_experiment_by_name(self, name: str) -> AuditExperiment | None: ...
    def create_experiment(self, name: str) -> str: ...
    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None: ...


def read_log(gw: RegistryAuditGateway) -> dict[str, str]:
    """The log's audit tags ({} while nobody has written one)."""
    exp = gw.get_experiment_by_name(EXPERIMENT_NAME)
    return exp.audit_tags if exp is not None else {}


def _unavailable(why: str) -> AuditLogUnavailable:
    return AuditLogUnavailable(
        f"The entry in the \"{EXPERIMENT_NAME}\" experiment, where deletions and renames "
        f"are recorded for other clients, cannot be written: {why}")


def open_log(gw: RegistryAuditGateway) -> AuditExperiment:
    """The log experiment, created if missing, once this user has shown it may tag it;
    raises `AuditLogUnavailable` (saying why) when not."""
    try:
        exp = gw.get_experiment_by_name(EXPERIMENT_NAME)
        if exp is None:
            try:
                gw.create_experiment(EXPERIMENT_NAME)
            except PermissionDenied:
                raise
            except ModelHubError:  # created by another client at the same moment
                pass
            exp = gw.get_experiment_by_name(EXPERIMENT_NAME)
            if exp is None:
                raise _unavailable("the experiment could not be created.")
        if exp.lifecycle_stage != "active":
            raise _unavailable("the experiment was deleted; restore it first.")
        gw.set_experiment_tag(exp.experiment_id, SCHEMA_TAG, SCHEMA_TAG_VALUE)
    except PermissionDenied:
        raise _unavailable("you may not create or edit that experiment (it needs EDIT "
                           "on it).") from None
    except NotFound:
        raise _unavailable("the server does not know that experiment.") from None
    return exp


def record(gw: RegistryAuditGateway, log: AuditExperiment, who: str, action: str,
           from_: str, to: str = "", reason: str = "") -> audit.AuditEvent:
    """Write one event about a model, chained after the log's newest entry (read again
    just before, so entries written since `open_log` are followed)."""
    now = gw.get_experiment_by_name(EXPERIMENT_NAME) or log
    events, _ = audit.read_tags(now.audit_tags)
    event = audit.next_event(events, who=who, when=int(time.time() * 1000), action=action,
                             target="model", from_=from_, to=to, reason=reason)
    key, value = audit.encode(event)
    try:
        gw.set_experiment_tag(log.experiment_id, key, value)
    except PermissionDenied:
        raise _unavailable("the server refused it (HTTP 403).") from None
    return event


def try_record(gw: RegistryAuditGateway, who: str, action: str, from_: str, to: str = "",
               reason: str = "") -> tuple[audit.AuditEvent | None, str]:
    """`open_log` + `record` for events that are also on the model's own chain (renames):
    (the event, "") or (None, why it was not written)."""
    try:
        return record(gw, open_log(gw), who, action, from_, to, reason), ""
    except ModelHubError as exc:
        return None, str(exc)
