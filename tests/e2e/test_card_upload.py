"""A version's model card logged as artifacts of its run, under `model_card/`, for real: from
the window's card export dialog on a plain `mlflow server`, and with a user's own
credentials (never the environment's) on a `--app-name basic-auth` server. What the server
holds afterwards is read back with a second, plain MlflowClient."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from modelhub_desktop.core import model_card
from modelhub_desktop.core.card_upload import log_card
from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import InvalidInput, ModelHubError, PermissionDenied
from modelhub_desktop.core.registry import RegistryGateway
from tests.builders import as_admin, client_for, make_model, new_user
from tests.helpers import close_when_idle, open_window, wait_for_tasks
from tests.servers import MlflowServer

pytestmark = pytest.mark.e2e

MODEL = "card upload ü – " + "c" * 60


def _server_text(url: str, run_id: str, path: str) -> str:
    """One artifact of the run as a plain MlflowClient downloads it."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="card-read-") as tmp:
        return Path(client_for(url).download_artifacts(run_id, path, tmp)).read_text("utf-8")


def test_the_card_dialog_logs_the_card_to_the_versions_run(
        qtbot: Any, mlflow_server: MlflowServer, tmp_path: Path) -> None:
    from modelhub_desktop.ui.dialogs.card_export import CardExportDialog

    url = mlflow_server.url
    make_model(client_for(url), MODEL, 2, n_params=2, n_metrics=1, aliases={"champion": 1})
    run_id = client_for(url).get_model_version(MODEL, "2").run_id
    window = open_window(qtbot, url, tmp_path / "d", model=MODEL)
    qtbot.waitUntil(lambda: window.controller.current_model == MODEL
                    and window.controller.can_write, timeout=60000)
    feature = window.approval
    feature.export_card(MODEL, 2)
    qtbot.waitUntil(lambda: isinstance(feature.dialog, CardExportDialog), timeout=30000)
    dialog = feature.dialog
    assert dialog.objectName() == "cardExportDialog" and dialog.upload.isEnabled()
    assert dialog.path.text().endswith("-v2-card.html")
    target = tmp_path / "card.md"
    dialog.path.setText(str(target))
    dialog.upload.setChecked(True)
    dialog.ok.click()
    wait_for_tasks(qtbot, window.ctx.runner)
    assert "logged to run" in window.status.currentMessage(), window.status.currentMessage()

    names = sorted(f.path for f in client_for(url).list_artifacts(run_id, "model_card"))
    assert names == ["model_card/v2.html", "model_card/v2.md"]
    html = _server_text(url, run_id, "model_card/v2.html")
    assert f"Model card: {MODEL} v2" in html and html.lstrip().lower().startswith("<!doctype")
    markdown = _server_text(url, run_id, "model_card/v2.md")
    assert markdown == target.read_text(encoding="utf-8")
    close_when_idle(qtbot, window)


def test_without_a_run_or_offline_the_box_says_why(qtbot: Any) -> None:
    from modelhub_desktop.ui.dialogs.card_export import CardExportDialog

    dialog = CardExportDialog("Model card: m v3", "", "v3 has no source run to log the card to.")
    qtbot.addWidget(dialog)
    assert not dialog.upload.isEnabled() and not dialog.ok.isEnabled()  # nothing to do
    assert dialog.why.text() == "v3 has no source run to log the card to."
    dialog.upload.setChecked(True)
    assert not dialog.wants_upload()
    dialog.path.setText("/tmp/x.html")
    assert dialog.ok.isEnabled()


def test_a_user_logs_the_card_with_their_own_credentials(
        basic_auth_server: MlflowServer) -> None:
    from mlflow.server import get_app_client

    url = basic_auth_server.url
    name = "card-auth-" + "a" * 40
    with as_admin():
        c = client_for(url)
        exp_id = c.create_experiment(f"exp-{name}")
        run = c.create_run(exp_id, run_name="train")
        c.log_metric(run.info.run_id, "auc", 0.9)
        c.set_terminated(run.info.run_id, "FINISHED")
        c.create_registered_model(name)
        mv = c.create_model_version(name, f"{run.info.artifact_uri}/model", run.info.run_id,
                                    await_creation_for=0)
        user = new_user(url, "carder")
        admin = get_app_client("basic-auth", tracking_uri=url)
        admin.grant_user_permission(user[0], "experiment", exp_id, "EDIT")
    assert "MLFLOW_TRACKING_PASSWORD" not in os.environ
    gw = RegistryGateway(Profile(user[0], url, auth="basic", username=user[0]),
                         Credentials(password=user[1]))
    version = gw.get_version(name, 1)
    card = model_card.gather(gw, name, 1)
    assert log_card(gw, version, model_card.to_html(card), model_card.to_markdown(card)) == [
        "model_card/v1.html", "model_card/v1.md"]
    with as_admin():
        names = sorted(f.path for f in client_for(url).list_artifacts(mv.run_id, "model_card"))
        text = _server_text(url, mv.run_id, "model_card/v1.md")
    assert names == ["model_card/v1.html", "model_card/v1.md"]
    assert text == model_card.to_markdown(card)

    stranger = new_user_outside(url)
    denied = RegistryGateway(Profile(stranger[0], url, auth="basic", username=stranger[0]),
                             Credentials(password=stranger[1]))
    with pytest.raises(ModelHubError) as err:
        log_card(denied, version, "<p>x</p>", "x")
    assert isinstance(err.value, PermissionDenied), err.value
    with pytest.raises(InvalidInput, match="has no source run"):
        log_card(gw, version.__class__(name, 1), "", "")


def new_user_outside(url: str) -> tuple[str, str]:
    """A user with the server's default (READ) permission only."""
    with as_admin():
        return new_user(url, "reader")
