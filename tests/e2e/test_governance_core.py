"""Governance writes against a real `mlflow server`: conflict detection, roll back, the audit
chain on the server and its tamper check, stages, and permissions on a basic-auth server."""

from __future__ import annotations

import json
import time

import pytest

from modelhub_desktop.core import audit
from modelhub_desktop.core.alias_timeline import (
    build_spans,
    current_slots,
    held_at,
    moves_from_events,
    observed_alias_moves,
)
from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import InvalidInput, PermissionDenied
from modelhub_desktop.core.governance import (
    Conflict,
    MlflowStoreGateway,
    actor,
    delete_alias,
    rollback_alias,
    rollback_stage,
    set_alias,
    transition_stage,
)
from modelhub_desktop.core.permissions import Action, Level, fetch_permission
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import as_admin, client_for, make_model, new_user
from tests.helpers import CountingProxy
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

NAMES = ["gov champion ü – модель 模型", "g" * 200]


@pytest.mark.parametrize("name", NAMES, ids=["unicode", "200-chars"])
def test_move_conflict_rollback_and_tamper_check(mlflow_server: MlflowServer,
                                                 name: str) -> None:
    plain = client_for(mlflow_server.url)
    make_model(plain, name, 3, n_params=1, n_metrics=1)
    gw = MlflowStoreGateway(mlflow_server.url)

    first = set_alias(gw, name, "champion", 1, expected=None, who="alice", reason="baseline")
    assert first.verified and first.model.aliases["champion"] == 1
    second = set_alias(gw, name, "champion", 2, expected=1, who="alice", reason="better AUC")
    assert second.verified and second.event.prev == first.event.hash

    # another client moves the alias behind our back
    plain.set_registered_model_alias(name, "champion", "3")
    with pytest.raises(Conflict) as caught:
        set_alias(gw, name, "champion", 1, expected=2, who="alice")
    assert (f"@champion on {name} now points to v3 (you saw v2): someone else changed it"
            in str(caught.value))
    assert plain.get_registered_model(name).aliases == {"champion": "3"}

    # roll back: the previous holder (v2, from the audit trail and the observed move)
    noticed = observed_alias_moves({"champion": 2}, {"champion": 3}, int(time.time() * 1000))
    back = rollback_alias(gw, name, "champion", expected=3, who="bob",
                          reason="v3 misbehaves", observed=noticed)
    assert back.verified and back.event.action == "alias.rollback"
    assert (back.event.from_, back.event.to) == ("3", "2")
    assert plain.get_registered_model(name).aliases == {"champion": "2"}

    tags = plain.get_registered_model(name).tags
    events, problems = audit.read_tags(tags)
    assert not problems
    assert [(e.who, e.action, e.from_, e.to) for e in events] == [
        ("alice", "alias.set", "", "1"), ("alice", "alias.set", "1", "2"),
        ("bob", "alias.rollback", "3", "2")]
    assert audit.verify(tags).ok
    spans = build_spans(moves_from_events(events), current_slots({"champion": 2}))
    assert [s.version for s in held_at(spans, "@champion", second.event.when)] == [2]

    # someone with EDIT rewrites an entry: verification names that entry
    key = events[1].key
    body = json.loads(tags[key])
    body["reason"] = "nothing to see"
    plain.set_registered_model_tag(name, key, json.dumps(body))
    report = audit.verify(plain.get_registered_model(name).tags)
    assert [(e.key, e.status) for e in report.broken] == [(key, "altered")]
    assert "#2 was changed" in report.broken[0].message


def test_a_checked_audited_move_costs_four_requests(mlflow_server: MlflowServer) -> None:
    name = "gov counted"
    make_model(client_for(mlflow_server.url), name, 2, n_params=1, n_metrics=1,
               aliases={"champion": 1})
    proxy = CountingProxy(mlflow_server.port).start()
    try:
        gw = MlflowStoreGateway(proxy.url)
        proxy.reset_counts()
        result = set_alias(gw, name, "champion", 2, expected=1, who="alice")
        counts = proxy.counts()
    finally:
        proxy.stop()
    assert result.verified
    # refetch before, move, audit tag, refetch after
    assert counts == {"GET /api/2.0/mlflow/registered-models/get": 2,
                      "POST /api/2.0/mlflow/registered-models/alias": 1,
                      "POST /api/2.0/mlflow/registered-models/set-tag": 1}, counts


def test_delete_and_rollback_without_history(mlflow_server: MlflowServer) -> None:
    name = "gov delete me"
    plain = client_for(mlflow_server.url)
    make_model(plain, name, 2, n_params=1, n_metrics=1, aliases={"challenger": 1})
    gw = MlflowStoreGateway(mlflow_server.url)
    with pytest.raises(InvalidInput, match="No earlier holder of @challenger"):
        rollback_alias(gw, name, "challenger", expected=1, who=actor())
    with pytest.raises(Conflict):
        delete_alias(gw, name, "challenger", expected=2, who=actor())
    gone = delete_alias(gw, name, "challenger", expected=1, who=actor(), reason="x" * 9000)
    assert gone.verified and gone.model.aliases == {}
    assert plain.get_registered_model(name).aliases == {}
    assert gone.event.reason_truncated and gone.event.to == ""
    tags = plain.get_registered_model(name).tags
    assert all(len(v) < 5000 for k, v in tags.items() if audit.is_audit_key(k))
    assert audit.verify(tags).ok


def test_stage_transition_archives_and_rolls_back(mlflow_server: MlflowServer) -> None:
    name = "gov stages ü"
    plain = client_for(mlflow_server.url)
    make_model(plain, name, 3, n_params=1, n_metrics=1)
    gw = MlflowStoreGateway(mlflow_server.url)
    transition_stage(gw, name, 1, "Production", expected_stage="None", who="ops",
                     expected_holders=[])
    moved = transition_stage(gw, name, 2, "Production", expected_stage="None", who="ops",
                             expected_holders=[1], reason="v2 wins")
    assert moved.verified and moved.event.archived == (1,)
    stages = {int(v.version): v.current_stage
              for v in plain.search_model_versions(f"name = '{name}'")}
    assert stages == {1: "Archived", 2: "Production", 3: "None"}
    with pytest.raises(Conflict, match="Production of .* now holds v2"):
        transition_stage(gw, name, 3, "Production", expected_stage="None", who="ops",
                         expected_holders=[])

    back = rollback_stage(gw, name, "Production", expected_holders=[2], who="ops")
    assert back.event.action == "stage.rollback" and back.event.target == "v1"
    stages = {int(v.version): v.current_stage
              for v in plain.search_model_versions(f"name = '{name}'")}
    assert stages == {1: "Production", 2: "Archived", 3: "None"}
    assert audit.verify(plain.get_registered_model(name).tags).ok


def test_permission_is_unknown_on_a_server_without_accounts(
        mlflow_server: MlflowServer) -> None:
    gw = RegistryGateway(Profile("plain", mlflow_server.url))
    perm = fetch_permission(gw, "any model")
    assert perm.level is None and perm.source == "none"
    assert perm.allows(Action.DELETE_ALIAS) is None and perm.why_not(Action.DELETE_ALIAS) == ""


def test_permissions_on_a_basic_auth_server(basic_auth_server: MlflowServer,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    url = basic_auth_server.url
    name = "guarded churn-classifier ü"
    with as_admin():
        from mlflow.server import get_app_client

        admin = get_app_client("basic-auth", tracking_uri=url)
        plain = client_for(url)
        if not plain.search_registered_models(f"name = '{name}'"):
            plain.create_registered_model(name)
            run = plain.create_run(plain.create_experiment("guarded governance"))
            for _ in range(2):
                plain.create_model_version(name, f"{run.info.artifact_uri}/model",
                                           run.info.run_id, await_creation_for=0)
        plain.set_registered_model_alias(name, "champion", "1")
        users = {}
        for level in ("READ", "EDIT", "MANAGE"):
            users[level] = new_user(url, level.lower())
            if level != "READ":  # READ is the server's default
                admin.grant_user_permission(users[level][0], "registered_model", name, level)

    def gateway(level: str) -> RegistryGateway:
        user, password = users[level]
        return RegistryGateway(Profile(level, url, auth="basic", username=user),
                               Credentials(password=password))

    for level in ("READ", "EDIT", "MANAGE"):
        perm = fetch_permission(gateway(level), name)
        assert (perm.username, perm.level, perm.source) == (
            users[level][0], Level[level], "server")
    editor = fetch_permission(gateway("EDIT"), name)
    assert editor.allows(Action.MOVE_ALIAS) and not editor.allows(Action.DELETE_ALIAS)
    assert editor.why_not(Action.DELETE_ALIAS) == f"Removing an alias needs MANAGE on {name}"
    admin_gw = RegistryGateway(Profile("admin", url, auth="basic", username="admin"),
                               Credentials(password=admin_password()))
    assert fetch_permission(admin_gw, name).is_admin

    # the editor may move the alias (with its audit entry) but a removal is refused in words
    user, password = users["EDIT"]
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", user)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", password)
    gw = MlflowStoreGateway(url)
    moved = set_alias(gw, name, "champion", 2, expected=1, who=user)
    assert moved.verified and moved.event.who == user
    with pytest.raises(PermissionDenied) as caught:
        delete_alias(gw, name, "champion", expected=2, who=user)
    assert str(caught.value).startswith(f"Removing an alias needs MANAGE on {name}")
    with as_admin():
        assert client_for(url).get_registered_model(name).aliases == {"champion": "2"}


def admin_password() -> str:
    from tests.servers import ADMIN_PASSWORD

    return ADMIN_PASSWORD
