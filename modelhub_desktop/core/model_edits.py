"""Edits that are not alias or stage moves: descriptions, tags, rename, delete.

Like the moves in core/governance.py, each edit refetches what the user looked at first
and stops with `Conflict` when someone changed it since, records one audit event per
change on the model, and reads the server's state back afterwards. Deleting a version or
a model that holds an alias or the Production stage is refused, with the reason.
Deleting or renaming a whole model is also recorded in the registry-wide audit log
(core/registry_audit.py): a deleted model's own chain goes with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from modelhub_desktop.core import audit, registry_audit
from modelhub_desktop.core.domain import ModelVersion, RegisteredModel
from modelhub_desktop.core.errors import InvalidInput, ModelHubError, PermissionDenied
from modelhub_desktop.core.governance import Conflict, GovernanceGateway, record_event
from modelhub_desktop.core.permissions import Action, explain_denied

PROTECTED_STAGE = "Production"


class EditGateway(GovernanceGateway, registry_audit.RegistryAuditGateway, Protocol):
    """The gateway calls edits need (RegistryGateway has them all)."""

    def delete_model_tag(self, model_name: str, key: str) -> None: ...
    def set_version_tag(self, model_name: str, version: int, key: str, value: str) -> None: ...
    def delete_version_tag(self, model_name: str, version: int, key: str) -> None: ...
    def update_model_description(self, model_name: str, description: str) -> None: ...
    def update_version_description(self, model_name: str, version: int,
                                   description: str) -> None: ...
    def rename_model(self, model_name: str, new_name: str) -> None: ...
    def delete_version(self, model_name: str, version: int) -> None: ...
    def delete_model(self, model_name: str) -> None: ...


@dataclass(frozen=True)
class EditResult:
    """The model as the server shows it after the edit (None once deleted), the edited
    version (None for model edits or once deleted), the audit events written on the model
    and in the registry-wide log (`logged`), and what the user should still be told."""

    model: RegisteredModel | None
    version: ModelVersion | None
    events: tuple[audit.AuditEvent, ...]
    verified: bool
    logged: tuple[audit.AuditEvent, ...] = ()
    warning: str = ""


def _denied(action: Action, model_name: str, exc: PermissionDenied) -> Exception:
    return explain_denied(exc, action, model_name)


def _stale(what: str) -> Conflict:
    return Conflict(f"{what} was changed by someone else since you looked. Refresh and "
                    "try again.")


def _target(version: int | None) -> str:
    return "model" if version is None else f"v{version}"


def edit_description(gw: EditGateway, model_name: str, version: int | None, text: str, *,
                     expected: str, who: str, reason: str = "") -> EditResult:
    """Set the model's (version None) or a version's description, if it still reads
    `expected`."""
    model = gw.get_model(model_name)
    current = model.description if version is None else \
        gw.get_version(model_name, version).description
    label = f"The description of {model_name}" + ("" if version is None else f" v{version}")
    if current != expected:
        raise _stale(label)
    if current == text:
        raise InvalidInput(f"{label} already reads like this.")
    try:
        if version is None:
            gw.update_model_description(model_name, text)
        else:
            gw.update_version_description(model_name, version, text)
    except PermissionDenied as exc:
        raise _denied(Action.EDIT_DESCRIPTION, model_name, exc) from None
    event = record_event(gw, model, who, "description.edit", _target(version),
                    audit.shorten(current), audit.shorten(text), reason)
    return _after(gw, model_name, version, (event,),
                  lambda m, v: (m.description if v is None else v.description) == text)


def edit_tags(gw: EditGateway, model_name: str, version: int | None,
              changes: Mapping[str, str | None], *, expected: Mapping[str, str], who: str,
              reason: str = "") -> EditResult:
    """Set (value) or remove (None) tags of the model or a version, if the tags the user
    saw (`expected`) are still as they were. Audit tags cannot be edited here."""
    if any(audit.is_audit_key(k) for k in changes):
        raise InvalidInput("Audit entries (modelhub.audit.*) cannot be edited.")
    if not changes:
        raise InvalidInput("No tag was changed.")
    model = gw.get_model(model_name)
    tags = model.tags if version is None else gw.get_version(model_name, version).tags
    for key in changes:
        if tags.get(key) != expected.get(key):
            raise _stale(f"Tag {key} of {model_name}" + ("" if version is None
                                                          else f" v{version}"))
    events: list[audit.AuditEvent] = []
    for key, value in sorted(changes.items()):
        old = tags.get(key)
        if old == value:
            continue
        target = ("" if version is None else f"v{version} ") + f"tag:{key}"
        try:
            if value is None:
                if version is None:
                    gw.delete_model_tag(model_name, key)
                else:
                    gw.delete_version_tag(model_name, version, key)
            elif version is None:
                gw.set_model_tag(model_name, key, value)
            else:
                gw.set_version_tag(model_name, version, key, value)
        except PermissionDenied as exc:
            action = Action.SET_TAG if value is not None else (
                Action.DELETE_MODEL_TAG if version is None else Action.DELETE_VERSION_TAG)
            raise _denied(action, model_name, exc) from None
        # chain after the entries just written, without reading the model again
        chained = replace(model, tags={**model.tags, **dict(audit.encode(e) for e in events)})
        kind = "tag.set" if value is not None else "tag.delete"
        events.append(record_event(gw, chained, who, kind, target, audit.shorten(old or ""),
                                   audit.shorten(value or ""), reason))

    def shown(m: RegisteredModel, v: ModelVersion | None) -> bool:
        now = m.tags if v is None else v.tags
        return all(now.get(k) == val for k, val in changes.items())

    return _after(gw, model_name, version, tuple(events), shown)


def rename_model(gw: EditGateway, model_name: str, new_name: str, *, who: str,
                 reason: str = "") -> EditResult:
    """Rename the model (its versions, aliases and audit trail go with it)."""
    new_name = new_name.strip()
    if not new_name or new_name == model_name:
        raise InvalidInput("Give the model a new name.")
    model = gw.get_model(model_name)
    try:
        gw.rename_model(model_name, new_name)
    except PermissionDenied as exc:
        raise _denied(Action.RENAME_MODEL, model_name, exc) from None
    renamed = RegisteredModel(new_name, tags=model.tags)
    event = record_event(gw, renamed, who, "model.rename", "model", model_name, new_name, reason)
    # also where a reader of the old name looks; the model's own chain has it regardless
    logged, why = registry_audit.try_record(gw, who, registry_audit.RENAME, model_name,
                                            new_name, reason)
    result = _after(gw, new_name, None, (event,), lambda m, _v: m.name == new_name)
    return replace(result, logged=(logged,) if logged else (),
                   warning=f"Not in the registry-wide log: {why}" if why else "")


def why_not_delete_version(model: RegisteredModel, version: ModelVersion) -> str:
    """Why deleting `version` is refused ("" when it may go)."""
    held = sorted(a for a, v in model.aliases.items() if v == version.version)
    if held:
        names = ", ".join("@" + a for a in held)
        return (f"v{version.version} of {model.name} holds {names}: move or remove "
                f"{'it' if len(held) == 1 else 'them'} before deleting the version.")
    if version.current_stage == PROTECTED_STAGE:
        return (f"v{version.version} of {model.name} is in Production: move it to another "
                "stage before deleting it.")
    return ""


def why_not_delete_model(model: RegisteredModel, stages: Mapping[int, str]) -> str:
    """Why deleting the whole model is refused ("" when it may go)."""
    if model.aliases:
        held = ", ".join(f"@{a} (v{v})" for a, v in sorted(model.aliases.items()))
        return f"{model.name} still has aliases: {held}. Remove them before deleting the model."
    prod = sorted(v for v, s in stages.items() if s == PROTECTED_STAGE)
    if prod:
        shown = ", ".join(f"v{v}" for v in prod)
        return (f"{model.name} has {shown} in Production: move {'it' if len(prod) == 1 else 'them'}"
                " to another stage before deleting the model.")
    return ""


def delete_version(gw: EditGateway, model_name: str, version: int, *, who: str,
                   reason: str = "") -> EditResult:
    """Delete one version, unless it holds an alias or the Production stage."""
    model = gw.get_model(model_name)
    mv = gw.get_version(model_name, version)
    refusal = why_not_delete_version(model, mv)
    if refusal:
        raise InvalidInput(refusal)
    try:
        gw.delete_version(model_name, version)
    except PermissionDenied as exc:
        raise _denied(Action.DELETE_VERSION, model_name, exc) from None
    event = record_event(gw, model, who, "version.delete", f"v{version}", mv.current_stage, "",
                    reason)
    after = gw.get_model(model_name)
    return EditResult(after, None, (event,), True)


def delete_model(gw: EditGateway, model_name: str, *, who: str, reason: str = "",
                 audit_log: bool = True) -> EditResult:
    """Delete the model and all its versions, unless it holds an alias or a version is in
    Production. Its own audit trail goes with it (it lives in the model's tags), so the
    deletion is recorded in the registry-wide log. Before deleting, raises
    `AuditLogUnavailable` when that entry cannot be written; `audit_log=False` (the user
    agreed to delete without it) skips the log."""
    model = gw.get_model(model_name)
    stages = {v.version: v.current_stage for v in gw.list_versions(model_name)}
    refusal = why_not_delete_model(model, stages)
    if refusal:
        raise InvalidInput(refusal)
    log = registry_audit.open_log(gw) if audit_log else None
    try:
        gw.delete_model(model_name)
    except PermissionDenied as exc:
        raise _denied(Action.DELETE_MODEL, model_name, exc) from None
    if log is None:
        return EditResult(None, None, (), True,
                          warning="No audit entry was written for the deletion.")
    try:
        event = registry_audit.record(gw, log, who, registry_audit.DELETE, model_name, "",
                                      reason)
    except ModelHubError as exc:  # refused between the check and the write
        return EditResult(None, None, (), True,
                          warning=f"The deletion happened, but {exc}")
    return EditResult(None, None, (), True, logged=(event,))


Shown = Callable[[RegisteredModel, ModelVersion | None], bool]


def _after(gw: EditGateway, model_name: str, version: int | None,
           events: tuple[audit.AuditEvent, ...], shown: Shown) -> EditResult:
    """Read the server's state back and check that it shows the edit."""
    model = gw.get_model(model_name)
    mv = gw.get_version(model_name, version) if version is not None else None
    return EditResult(model, mv, events, shown(model, mv))

