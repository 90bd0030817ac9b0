"""Permission levels, what each action needs, and the words a disabled action shows."""

from __future__ import annotations

import pytest

from modelhub_desktop.core.errors import NotFound, PermissionDenied
from modelhub_desktop.core.permissions import (
    REQUIRED,
    Action,
    Level,
    ModelPermission,
    explain_denied,
    needs_text,
)


def test_levels_are_ordered_and_parse_server_names() -> None:
    assert Level.READ < Level.USE < Level.EDIT < Level.MANAGE
    assert Level.parse("manage") is Level.MANAGE
    assert Level.parse("EDIT") is Level.EDIT
    assert Level.parse("NO_PERMISSIONS") is Level.NONE
    assert Level.parse("DENY") is Level.NONE
    assert Level.parse("something new") is Level.NONE


def test_requirements_follow_mlflow_317() -> None:
    assert REQUIRED[Action.VIEW] is Level.READ
    for action in (Action.SET_ALIAS, Action.MOVE_ALIAS, Action.ROLLBACK_ALIAS,
                   Action.TRANSITION_STAGE, Action.SET_TAG, Action.RENAME_MODEL,
                   Action.EDIT_DESCRIPTION, Action.WRITE_AUDIT):
        assert REQUIRED[action] is Level.EDIT, action
    for action in (Action.DELETE_ALIAS, Action.DELETE_VERSION, Action.DELETE_VERSION_TAG,
                   Action.DELETE_MODEL):
        assert REQUIRED[action] is Level.MANAGE, action
    assert set(REQUIRED) == set(Action)


def test_wording_names_the_missing_level_and_model() -> None:
    assert (needs_text(Action.DELETE_ALIAS, "churn-classifier")
            == "Removing an alias needs MANAGE on churn-classifier")
    name = "ünïcødé – модель " + "x" * 200
    assert needs_text(Action.MOVE_ALIAS, name) == f"Moving an alias needs EDIT on {name}"


@pytest.mark.parametrize(("level", "allowed"), [
    (Level.NONE, set()),
    (Level.READ, {Action.VIEW}),
    (Level.USE, {Action.VIEW}),
    (Level.EDIT, {a for a, need in REQUIRED.items() if need <= Level.EDIT}),
    (Level.MANAGE, set(Action)),
])
def test_known_level_decides_each_action(level: Level, allowed: set[Action]) -> None:
    perm = ModelPermission("m", "u", level, source="server")
    assert {a for a in Action if perm.allows(a)} == allowed
    for action in set(Action) - allowed:
        assert perm.allows(action) is False
        assert perm.why_not(action) == needs_text(action, "m")
    for action in allowed:
        assert perm.why_not(action) == ""


def test_unknown_level_offers_everything_and_admin_may_do_all() -> None:
    unknown = ModelPermission("m")
    assert all(unknown.allows(a) is None for a in Action)
    assert all(unknown.why_not(a) == "" for a in Action)
    admin = ModelPermission("m", "root", Level.READ, is_admin=True, source="admin")
    assert all(admin.allows(a) for a in Action)


def test_legacy_refusal_means_below_manage() -> None:
    perm = ModelPermission("m", "u", source="legacy", below=Level.MANAGE)
    assert perm.allows(Action.DELETE_ALIAS) is False
    assert perm.why_not(Action.DELETE_ALIAS) == "Removing an alias needs MANAGE on m"
    assert perm.allows(Action.MOVE_ALIAS) is None


def test_a_403_is_put_into_words() -> None:
    err = explain_denied(PermissionDenied("HTTP 403"), Action.DELETE_ALIAS, "churn")
    assert isinstance(err, PermissionDenied)
    assert str(err).startswith("Removing an alias needs MANAGE on churn")
    other = explain_denied(NotFound("gone"), Action.DELETE_ALIAS, "churn")
    assert isinstance(other, NotFound) and str(other) == "gone"
