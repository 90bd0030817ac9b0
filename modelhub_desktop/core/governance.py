"""Write operations on aliases and stages: checked before, verified after, audited.

The server has no compare-and-set, so each write refetches what the user looked at and
stops with `Conflict` if someone else changed it since; after the write it refetches
again and returns the server's true state, never an optimistic one. Each write records
one audit tag on the model (core/audit.py). Functions take any gateway that has the
methods of `GovernanceGateway`; `MlflowStoreGateway` is one over MLflow's registry store.
"""

from __future__ import annotations

import getpass
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from modelhub_desktop.core import audit
from modelhub_desktop.core.alias_timeline import (
    Move,
    Span,
    alias_slot,
    build_spans,
    current_slots,
    join,
    moves_from_events,
    previous_holder,
    stage_slot,
)
from modelhub_desktop.core.domain import ModelVersion, Profile, RegisteredModel
from modelhub_desktop.core.errors import InvalidInput, ModelHubError, PermissionDenied
from modelhub_desktop.core.permissions import Action, explain_denied

ARCHIVING_STAGES = ("Staging", "Production")


class Conflict(ModelHubError):
    """Someone else changed what the user was about to change."""

    title = "Changed by someone else"


class AuditNotWritten(ModelHubError):
    """The change was made but its audit entry could not be stored."""

    title = "Audit entry missing"


class GovernanceGateway(Protocol):
    """The gateway calls the write path needs (RegistryGateway grows into this)."""

    def get_model(self, name: str) -> RegisteredModel: ...
    def get_version(self, model_name: str, version: int) -> ModelVersion: ...
    def list_versions(self, model_name: str) -> list[ModelVersion]: ...
    def set_alias(self, model_name: str, alias: str, version: int) -> None: ...
    def delete_alias(self, model_name: str, alias: str) -> None: ...
    def set_model_tag(self, model_name: str, key: str, value: str) -> None: ...
    def transition_stage(self, model_name: str, version: int, stage: str,
                         archive_existing: bool) -> ModelVersion: ...


@dataclass(frozen=True)
class WriteResult:
    """The server's state after a write, the audit entry recorded, and whether the server
    shows the change (False: someone else changed it again right after)."""

    model: RegisteredModel
    event: audit.AuditEvent
    verified: bool
    version: ModelVersion | None = None


def actor(profile: Profile | None = None) -> str:
    """Who is acting: the profile's user name, else the OS user."""
    if profile is not None and profile.username:
        return profile.username
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "unknown"


def _now() -> int:
    return int(time.time() * 1000)


def _holder(version: int | None) -> str:
    return f"v{version}" if version is not None else "no version"


def _check_alias(model: RegisteredModel, alias: str, expected: int | None) -> int | None:
    actual = model.aliases.get(alias)
    if actual != expected:
        raise Conflict(
            f"@{alias} on {model.name} now points to {_holder(actual)} (you saw "
            f"{_holder(expected)}): someone else changed it since you looked. "
            "Refresh and try again."
        )
    return actual


def _write(action: Action, model_name: str, fn: Callable[..., object], *args: object) -> None:
    try:
        fn(*args)
    except PermissionDenied as exc:
        raise explain_denied(exc, action, model_name) from None


def record_event(gw: GovernanceGateway, model: RegisteredModel, who: str, action: str,
                 target: str, from_: str, to: str, reason: str,
                 archived: tuple[int, ...] = (), ref: str = "") -> audit.AuditEvent:
    """Write one audit event chained after the model's last one (its tags as read)."""
    events, _ = audit.read_tags(model.tags)
    event = audit.next_event(events, who=who, when=_now(), action=action,
                             target=target, from_=from_, to=to, reason=reason,
                             archived=archived, ref=ref)
    key, value = audit.encode(event)
    try:
        gw.set_model_tag(model.name, key, value)
    except ModelHubError as exc:
        raise AuditNotWritten(f"The change to {target} on {model.name} was made, but its "
                              f"audit entry could not be stored: {exc}") from None
    return event


def _apply_alias(gw: GovernanceGateway, before: RegisteredModel, alias: str,
                 version: int | None, who: str, reason: str, action: str,
                 ref: str = "") -> WriteResult:
    """Write the alias change, then its audit entry, then read back the server's state."""
    old = before.aliases.get(alias)
    if old == version:
        raise InvalidInput(f"@{alias} on {before.name} already points to {_holder(version)}.")
    if version is None:
        _write(Action.DELETE_ALIAS, before.name, gw.delete_alias, before.name, alias)
    else:
        kind = Action.SET_ALIAS if old is None else Action.MOVE_ALIAS
        _write(kind, before.name, gw.set_alias, before.name, alias, version)
    event = record_event(gw, before, who, action, alias_slot(alias),
                    "" if old is None else str(old), "" if version is None else str(version),
                    reason, ref=ref)
    after = gw.get_model(before.name)
    return WriteResult(after, event, after.aliases.get(alias) == version)


def set_alias(gw: GovernanceGateway, model_name: str, alias: str, version: int, *,
              expected: int | None, who: str, reason: str = "", ref: str = "") -> WriteResult:
    """Point `alias` at `version`, if it still points where the user saw it (`expected`);
    `ref` names the promotion request the move belongs to."""
    before = gw.get_model(model_name)
    _check_alias(before, alias, expected)
    return _apply_alias(gw, before, alias, version, who, reason, "alias.set", ref)


def delete_alias(gw: GovernanceGateway, model_name: str, alias: str, *,
                 expected: int | None, who: str, reason: str = "") -> WriteResult:
    """Remove `alias` (needs MANAGE), if it still points where the user saw it."""
    before = gw.get_model(model_name)
    _check_alias(before, alias, expected)
    return _apply_alias(gw, before, alias, None, who, reason, "alias.delete")


def _spans(model: RegisteredModel, observed: Sequence[Move],
           stages: dict[int, str] | None = None) -> list[Span]:
    """The model's timeline as of now: its audit trail, the observed moves and the state
    just read from the server."""
    events, _ = audit.read_tags(model.tags)
    return build_spans(join(moves_from_events(events), observed),
                       current_slots(model.aliases, stages), now=_now())


def rollback_alias(gw: GovernanceGateway, model_name: str, alias: str, *,
                   expected: int | None, who: str, reason: str = "",
                   observed: Sequence[Move] = ()) -> WriteResult:
    """Move `alias` back to the version that held it before its current holder.

    The previous holder comes from the audit trail joined with moves the cache observed
    (`observed`, e.g. `moves_from_changes(cache.changes())`).
    """
    before = gw.get_model(model_name)
    _check_alias(before, alias, expected)
    target = previous_holder(_spans(before, observed), alias_slot(alias))
    if target is None:
        raise InvalidInput(f"No earlier holder of @{alias} on {model_name} is known.")
    return _apply_alias(gw, before, alias, target, who, reason, "alias.rollback")


def transition_stage(gw: GovernanceGateway, model_name: str, version: int, stage: str, *,
                     expected_stage: str, who: str, reason: str = "",
                     archive_existing: bool = True,
                     expected_holders: Sequence[int] | None = None,
                     action: str = "stage.transition", ref: str = "") -> WriteResult:
    """Move `version` to `stage`; with `archive_existing` (Staging/Production only) the
    versions already in it go to Archived. Stops with Conflict when the version's stage,
    or the set of versions in the target stage (`expected_holders`), changed."""
    model = gw.get_model(model_name)
    mv = gw.get_version(model_name, version)
    if mv.current_stage != expected_stage:
        raise Conflict(f"v{version} of {model_name} is now in {mv.current_stage} (you saw "
                       f"{expected_stage}): someone else changed it since you looked. "
                       "Refresh and try again.")
    if mv.current_stage == stage:
        raise InvalidInput(f"v{version} of {model_name} is already in {stage}.")
    archive = archive_existing and stage in ARCHIVING_STAGES
    holders: list[int] = []
    if archive or expected_holders is not None:
        holders = sorted(v.version for v in gw.list_versions(model_name)
                         if v.current_stage == stage and v.version != version)
    if expected_holders is not None and holders != sorted(expected_holders):
        shown = ", ".join(f"v{v}" for v in holders) or "no version"
        raise Conflict(f"{stage} of {model_name} now holds {shown}: someone else changed it "
                       "since you looked. Refresh and try again.")
    try:
        gw.transition_stage(model_name, version, stage, archive)
    except PermissionDenied as exc:
        raise explain_denied(exc, Action.TRANSITION_STAGE, model_name) from None
    event = record_event(gw, model, who, action, f"v{version}", mv.current_stage, stage, reason,
                    tuple(holders) if archive else (), ref)
    after = gw.get_version(model_name, version)
    return WriteResult(gw.get_model(model_name), event, after.current_stage == stage, after)


def rollback_stage(gw: GovernanceGateway, model_name: str, stage: str = "Production", *,
                   expected_holders: Sequence[int], who: str, reason: str = "",
                   observed: Sequence[Move] = ()) -> WriteResult:
    """Put back in `stage` the version that was there before the current one(s)."""
    model = gw.get_model(model_name)
    versions = gw.list_versions(model_name)
    stages = {v.version: v.current_stage for v in versions}
    target = previous_holder(_spans(model, observed, stages), stage_slot(stage))
    if target is None or target not in stages:
        raise InvalidInput(f"No earlier version in {stage} of {model_name} is known.")
    return transition_stage(gw, model_name, target, stage, expected_stage=stages[target],
                            who=who, reason=reason, archive_existing=True,
                            expected_holders=expected_holders, action="stage.rollback")


class MlflowStoreGateway:
    """`GovernanceGateway` over MLflow's own registry store for a tracking URI (credentials
    from MLflow's environment variables, as a plain MlflowClient would use), errors
    translated to the app's kinds. It calls the store directly: MlflowClient adds a
    `get_registered_model` before each write."""

    def __init__(self, tracking_uri: str) -> None:
        from modelhub_desktop.core.mlflow_import import import_mlflow

        import_mlflow()
        from mlflow.tracking._model_registry import utils as reg_utils

        self.uri = tracking_uri
        self.store: Any = reg_utils._get_store(tracking_uri)

    def host_creds(self) -> Any:
        from mlflow.utils.credentials import get_default_host_creds

        return get_default_host_creds(self.uri)

    def _call(self, fn: Callable[..., Any], *args: object) -> Any:
        from modelhub_desktop.core.mlflow_errors import translate_error

        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - translated for the UI
            raise translate_error(exc) from None

    def get_model(self, name: str) -> RegisteredModel:
        from modelhub_desktop.core.mlflow_mapping import to_model

        return to_model(self._call(self.store.get_registered_model, name))

    def get_version(self, model_name: str, version: int) -> ModelVersion:
        from modelhub_desktop.core.mlflow_mapping import to_version

        mv = self._call(self.store.get_model_version, model_name, str(version))
        return to_version(mv, tuple(sorted(mv.aliases or ())))

    def list_versions(self, model_name: str) -> list[ModelVersion]:
        from modelhub_desktop.core.mlflow_mapping import to_version
        from modelhub_desktop.core.registry import VERSIONS_PAGE, quote

        out: list[ModelVersion] = []
        token = None
        while True:
            page = self._call(self.store.search_model_versions, f"name = {quote(model_name)}",
                              VERSIONS_PAGE, ["version_number DESC"], token)
            out.extend(to_version(v, ()) for v in page)
            token = page.token
            if not token:
                return out

    def set_alias(self, model_name: str, alias: str, version: int) -> None:
        self._call(self.store.set_registered_model_alias, model_name, alias, str(version))

    def delete_alias(self, model_name: str, alias: str) -> None:
        self._call(self.store.delete_registered_model_alias, model_name, alias)

    def set_model_tag(self, model_name: str, key: str, value: str) -> None:
        from mlflow.entities.model_registry import RegisteredModelTag

        self._call(self.store.set_registered_model_tag, model_name,
                   RegisteredModelTag(key, value))

    def transition_stage(self, model_name: str, version: int, stage: str,
                         archive_existing: bool) -> ModelVersion:
        from modelhub_desktop.core.mlflow_mapping import to_version

        mv = self._call(self.store.transition_model_version_stage, model_name, str(version),
                        stage, archive_existing)
        return to_version(mv, tuple(sorted(mv.aliases or ())))
