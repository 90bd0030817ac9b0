"""Permission-aware actions on a real `mlflow server --app-name basic-auth`: three users
with READ, EDIT and MANAGE on one model see the actions their level allows enabled, the
others disabled with the missing level named; a 403 from a write is put into words; a
model deletion whose registry-wide audit entry cannot be written is asked about first."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from modelhub_desktop.core import audit
from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.permissions import Level, ModelPermission
from modelhub_desktop.ui.main_window import MainWindow
from tests.builders import as_admin, client_for, new_user
from tests.e2e.gov_helpers import confirm, select, trigger
from tests.helpers import StubProfiles, wait_for_tasks
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

NAME = "guarded churn-classifier ü ui"
LOG = "ModelHub audit"


class OneSecret:
    problem = ""

    def __init__(self, password: str) -> None:
        self.password = password

    def credentials(self, profile: Profile) -> Credentials:
        return Credentials(password=self.password)


def _window(qtbot: QtBot, url: str, data_dir: Path, user: str, password: str,
            model: str = NAME, rows: int = 2) -> MainWindow:
    from PySide6.QtCore import QSettings

    from modelhub_desktop.core.paths import AppPaths
    from modelhub_desktop.ui.app_context import AppContext, StartOptions
    from modelhub_desktop.ui.tasks import TaskRunner

    paths = AppPaths.resolve(data_dir).ensure()
    profile = Profile(name=user, tracking_uri=url, auth="basic", username=user,
                      source="command-line")
    settings = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)
    ctx = AppContext(paths, StubProfiles(profile), OneSecret(password),  # type: ignore[arg-type]
                     TaskRunner(), settings)
    window = MainWindow(ctx, profile, StartOptions(interactive=False, model=model))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.controller.current_model == model
                    and window.version_table.model.rowCount() == rows, timeout=60000)
    qtbot.waitUntil(lambda: model in window.governance.permissions, timeout=30000)
    wait_for_tasks(qtbot, window.ctx.runner)
    return window


@pytest.fixture(scope="module")
def team(basic_auth_server: MlflowServer) -> dict[str, tuple[str, str]]:
    url = basic_auth_server.url
    with as_admin():
        from mlflow.server import get_app_client

        admin = get_app_client("basic-auth", tracking_uri=url)
        plain = client_for(url)
        if not plain.search_registered_models(f"name = '{NAME}'"):
            plain.create_registered_model(NAME)
            run = plain.create_run(plain.create_experiment("guarded ui governance"))
            for _ in range(2):
                plain.create_model_version(NAME, f"{run.info.artifact_uri}/model",
                                           run.info.run_id, await_creation_for=0)
        plain.set_registered_model_alias(NAME, "champion", "1")
        users = {}
        for level in ("READ", "EDIT", "MANAGE"):
            users[level] = new_user(url, f"ui-{level.lower()}")
            if level != "READ":  # READ is the server's default
                admin.grant_user_permission(users[level][0], "registered_model", NAME, level)
    return users


def _state(window: MainWindow, name: str) -> tuple[bool, str]:
    act = window.governance.actions[name]
    return act.isEnabled(), act.toolTip()


@pytest.mark.parametrize("level", ["READ", "EDIT", "MANAGE"])
def test_each_level_sees_what_it_may_do(qtbot: QtBot, basic_auth_server: MlflowServer,
                                        team: dict[str, tuple[str, str]], tmp_path: Path,
                                        level: str) -> None:
    user, password = team[level]
    window = _window(qtbot, basic_auth_server.url, tmp_path / "data", user, password)
    perm = window.governance.permissions[NAME]
    assert (perm.username, perm.level) == (user, Level[level])
    select(qtbot, window, 1)  # holds @champion
    promote = window.governance.actions.promote["champion"]
    remove = _state(window, "removeAliasAction")
    set_alias = _state(window, "setAliasAction")
    rename = _state(window, "renameModelAction")
    button = window.governance.detail_buttons["removeAliasAction"]
    assert button.isEnabled() == remove[0] and button.toolTip() == remove[1]
    if level == "READ":
        assert set_alias == (False, f"Setting an alias needs EDIT on {NAME}.")
        assert rename == (False, f"Renaming the model needs EDIT on {NAME}.")
        assert remove == (False, f"Removing an alias needs MANAGE on {NAME}.")
        assert not window.governance.actions["editVersionTagsAction"].isEnabled()
    elif level == "EDIT":
        assert set_alias[0] and rename[0]
        assert remove == (False, f"Removing an alias needs MANAGE on {NAME}.")
        select(qtbot, window, 2)
        assert promote.isEnabled()
        assert _state(window, "deleteVersionAction") == (
            False, f"Deleting a version needs MANAGE on {NAME}.")
    else:
        assert set_alias[0] and rename[0] and remove[0]
        select(qtbot, window, 2)
        assert window.governance.actions["deleteVersionAction"].isEnabled()
    # the tooltip of an enabled action says what it does
    assert window.governance.actions["historyAction"].isEnabled()


def test_a_403_is_put_into_words(qtbot: QtBot, basic_auth_server: MlflowServer,
                                 team: dict[str, tuple[str, str]], tmp_path: Path) -> None:
    user, password = team["EDIT"]
    window = _window(qtbot, basic_auth_server.url, tmp_path / "data", user, password)
    # a server that cannot say (no permission endpoint): the action is offered
    window.governance.permissions[NAME] = ModelPermission(NAME, user, source="none")
    window.governance.update()
    select(qtbot, window, 1)
    failures: list[Any] = []
    window.governance.writer.failed.connect(failures.append)
    dialog = trigger(qtbot, window, "removeAliasAction")
    confirm(qtbot, window, dialog)
    qtbot.waitUntil(lambda: bool(failures))
    assert f"Removing an alias needs MANAGE on {NAME}; the server refused it." in failures[0]
    assert failures[0] in window.notice.label.text()
    # the refusal makes the app ask the server again: the action is then disabled
    qtbot.waitUntil(lambda: (p := window.governance.permissions.get(NAME)) is not None
                    and p.level == Level.EDIT)
    wait_for_tasks(qtbot, window.ctx.runner)
    assert _state(window, "removeAliasAction") == (
        False, f"Removing an alias needs MANAGE on {NAME}.")
    with as_admin():
        assert client_for(basic_auth_server.url).get_registered_model(NAME).aliases == {
            "champion": "1"}


def test_a_delete_whose_audit_entry_cannot_be_written_is_asked_first(
        qtbot: QtBot, basic_auth_server: MlflowServer, tmp_path: Path) -> None:
    url = basic_auth_server.url
    name = "guarded delete ü " + secrets.token_hex(3)
    with as_admin():
        from mlflow.server import get_app_client

        plain = client_for(url)
        plain.create_registered_model(name)
        run = plain.create_run(plain.create_experiment(f"for {name}"))
        plain.create_model_version(name, f"{run.info.artifact_uri}/model", run.info.run_id,
                                   await_creation_for=0)
        if plain.get_experiment_by_name(LOG) is None:
            plain.create_experiment(LOG)  # the user gets the default: READ on it
        user, password = new_user(url, "ui-deleter")
        get_app_client("basic-auth", tracking_uri=url).grant_user_permission(
            user, "registered_model", name, "MANAGE")

    def exists() -> bool:
        with as_admin():
            return bool(client_for(url).search_registered_models(f"name = '{name}'"))

    def logged() -> list[str]:
        with as_admin():
            tags = client_for(url).get_experiment_by_name(LOG).tags
        events, _ = audit.read_tags(tags)
        return [e.from_ for e in events if e.action == "model.delete"]

    window = _window(qtbot, url, tmp_path / "data", user, password, model=name, rows=1)
    flows = window.governance.flows
    for go_on in (False, True):
        dialog = trigger(qtbot, window, "deleteModelAction")
        dialog.typed.setText(name)
        confirm(qtbot, window, dialog)
        asked = flows.dialog
        assert asked is not None and asked.objectName() == "auditMissingDialog"
        assert asked.isVisible()
        text = asked.message.text()
        assert 'experiment, where deletions and renames are recorded' in text
        assert "you may not create or edit that experiment" in text
        assert "Nothing was deleted yet." in text and exists()
        if go_on:
            confirm(qtbot, window, asked)
        else:
            asked.reject()
            wait_for_tasks(qtbot, window.ctx.runner)
            assert exists()
    assert not exists()
    assert name not in logged()
    qtbot.waitUntil(lambda: all(m.name != name for m in window.model_list.model.records()))
    assert "No audit entry was written for the deletion." in window.notice.label.text()
