"""What the signed-in user may do to a model, asked of the server before offering actions.

MLflow's basic-auth app answers `GET /api/3.0/mlflow/users/permissions/get` for one's own
effective permission (3.17+). Servers without it (no auth, or MLflow 2.x) answer 404: then
the level is unknown, actions stay offered and a 403 from the write is put into words.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from modelhub_desktop.core.errors import ModelHubError, PermissionDenied
from modelhub_desktop.core.mlflow_errors import translate_error

log = logging.getLogger(__name__)

PERMISSION_ENDPOINT = "/api/3.0/mlflow/users/permissions/get"
CURRENT_USER_ENDPOINT = "/api/2.0/mlflow/users/current"
LEGACY_MODEL_ENDPOINT = "/api/2.0/mlflow/registered-models/permissions/get"
TIMEOUT_S = 10


class Level(enum.IntEnum):
    """MLflow's permission levels, ordered: each includes the ones below."""

    NONE = 0  # NO_PERMISSIONS or DENY
    READ = 1
    USE = 2
    EDIT = 3
    MANAGE = 4

    @classmethod
    def parse(cls, name: str) -> Level:
        return cls.__members__.get(name.upper(), cls.NONE)


class Action(enum.Enum):
    """The app's actions on a model, with the words used in messages."""

    VIEW = "Viewing the model"
    SET_ALIAS = "Setting an alias"
    MOVE_ALIAS = "Moving an alias"
    ROLLBACK_ALIAS = "Rolling back an alias"
    DELETE_ALIAS = "Removing an alias"
    TRANSITION_STAGE = "Changing a stage"
    EDIT_DESCRIPTION = "Editing a description"
    SET_TAG = "Setting a tag"
    DELETE_MODEL_TAG = "Removing a model tag"
    DELETE_VERSION_TAG = "Removing a version tag"
    RENAME_MODEL = "Renaming the model"
    DELETE_VERSION = "Deleting a version"
    DELETE_MODEL = "Deleting the model"
    WRITE_AUDIT = "Recording an audit entry"


#: What each action needs, per mlflow 3.17's basic-auth rules.
REQUIRED: dict[Action, Level] = {
    Action.VIEW: Level.READ,
    Action.SET_ALIAS: Level.EDIT,
    Action.MOVE_ALIAS: Level.EDIT,
    Action.ROLLBACK_ALIAS: Level.EDIT,
    Action.DELETE_ALIAS: Level.MANAGE,
    Action.TRANSITION_STAGE: Level.EDIT,
    Action.EDIT_DESCRIPTION: Level.EDIT,
    Action.SET_TAG: Level.EDIT,
    Action.DELETE_MODEL_TAG: Level.MANAGE,
    Action.DELETE_VERSION_TAG: Level.MANAGE,
    Action.RENAME_MODEL: Level.EDIT,
    Action.DELETE_VERSION: Level.MANAGE,
    Action.DELETE_MODEL: Level.MANAGE,
    Action.WRITE_AUDIT: Level.EDIT,
}


def needs_text(action: Action, model_name: str) -> str:
    """"Removing an alias needs MANAGE on churn-classifier"."""
    return f"{action.value} needs {REQUIRED[action].name} on {model_name}"


@dataclass(frozen=True)
class ModelPermission:
    """The user's effective permission on one model; `level` None = the server cannot say."""

    model_name: str
    username: str = ""
    level: Level | None = None
    is_admin: bool = False
    #: where the answer came from: "server", "legacy", "admin", "none" (no auth or no endpoint)
    source: str = "none"
    #: a known ceiling when only that much is known (the legacy endpoint refused: < MANAGE)
    below: Level | None = None

    def allows(self, action: Action) -> bool | None:
        """True/False when known; None = unknown (offer it and translate a 403)."""
        need = REQUIRED[action]
        if self.is_admin:
            return True
        if self.level is not None:
            return self.level >= need
        if self.below is not None and need >= self.below:
            return False
        return None

    def why_not(self, action: Action) -> str:
        """The tooltip for a disabled action ("" when it is allowed or unknown)."""
        return "" if self.allows(action) is not False else needs_text(action, self.model_name)


class HostCredsSource(Protocol):
    def host_creds(self) -> Any:
        """An `mlflow.utils.rest_utils.MlflowHostCreds` for this connection."""


def _get(creds: Any, endpoint: str, params: dict[str, str] | None = None) -> tuple[int, Any]:
    from mlflow.utils.rest_utils import http_request

    resp = http_request(creds, endpoint, "GET", params=params, max_retries=0,
                        backoff_factor=0, timeout=TIMEOUT_S)
    try:
        body = resp.json()
    except ValueError:
        body = None
    return resp.status_code, body


def current_user(source: HostCredsSource) -> tuple[str, bool] | None:
    """(username, is_admin) of the signed-in user; None on a server without accounts."""
    try:
        status, body = _get(source.host_creds(), CURRENT_USER_ENDPOINT)
    except Exception as exc:  # noqa: BLE001 - translated for the UI
        raise translate_error(exc, " asking who is signed in") from None
    if status == 200 and isinstance(body, dict) and isinstance(body.get("user"), dict):
        user = body["user"]
        return str(user.get("username", "")), bool(user.get("is_admin", False))
    if status in (404, 405):
        return None
    raise _status_error(status, " asking who is signed in")


def fetch_permission(source: HostCredsSource, model_name: str,
                     username: str = "") -> ModelPermission:
    """The user's effective permission on `model_name`, asking the server.

    Two requests (who am I, what may I do); on servers without these endpoints the answer
    is "unknown" (source "none") and callers offer the action and translate a 403.
    """
    me = current_user(source)
    if me is None:
        return ModelPermission(model_name, username, source="none")
    name, is_admin = me
    if is_admin:
        return ModelPermission(model_name, name, Level.MANAGE, True, "admin")
    params = {"username": name, "resource_type": "registered_model",
              "resource_id": model_name}
    try:
        status, body = _get(source.host_creds(), PERMISSION_ENDPOINT, params)
    except Exception as exc:  # noqa: BLE001 - translated for the UI
        raise translate_error(exc, " asking for your permissions") from None
    if status == 200 and isinstance(body, dict) and "permission" in body:
        return ModelPermission(model_name, name, Level.parse(str(body["permission"])),
                               source="server")
    if status in (404, 405):
        return _legacy(source, model_name, name)
    raise _status_error(status, " asking for your permissions")


def _legacy(source: HostCredsSource, model_name: str, name: str) -> ModelPermission:
    """MLflow 2.x: the per-model endpoint answers only users with MANAGE."""
    params = {"name": model_name, "username": name}
    try:
        status, body = _get(source.host_creds(), LEGACY_MODEL_ENDPOINT, params)
    except Exception as exc:  # noqa: BLE001 - an old server's quirks mean "unknown"
        log.info("legacy permission endpoint failed: %s", type(exc).__name__)
        return ModelPermission(model_name, name, source="none")
    perm = body.get("registered_model_permission") if isinstance(body, dict) else None
    if status == 200 and isinstance(perm, dict):
        return ModelPermission(model_name, name, Level.parse(str(perm.get("permission", ""))),
                               source="legacy")
    if status == 403:
        return ModelPermission(model_name, name, source="legacy", below=Level.MANAGE)
    return ModelPermission(model_name, name, source="none")


def _status_error(status: int, where: str) -> ModelHubError:
    class _Http(Exception):
        def get_http_status_code(self) -> int:
            return status

    return translate_error(_Http(f"HTTP {status}"), where)


def explain_denied(err: BaseException, action: Action, model_name: str) -> ModelHubError:
    """A 403 from a write, in words naming the missing level; other errors translated."""
    translated = translate_error(err)
    if isinstance(translated, PermissionDenied):
        return PermissionDenied(f"{needs_text(action, model_name)}; the server refused it.")
    return translated
