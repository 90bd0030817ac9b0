"""The connection dialog: fill, test against a real server, save with secrets in the keychain."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox

from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore, SecretStore
from modelhub_desktop.ui.dialogs.connection_dialog import ConnectionDialog
from modelhub_desktop.ui.tasks import TaskRunner
from tests.fakes import FailKeyring
from tests.servers import MlflowServer


@pytest.fixture
def dialog(qtbot, tmp_path: Path) -> ConnectionDialog:
    store = ProfileStore(AppPaths.resolve(tmp_path).ensure())
    d = ConnectionDialog(store, SecretStore(), TaskRunner(), current="Local")
    qtbot.addWidget(d)
    return d


def fill(d: ConnectionDialog, name: str, uri: str, auth: str = "none", user: str = "",
         secret: str = "") -> None:
    combo = d.findChild(QComboBox, "profileCombo")
    combo.setCurrentIndex(combo.count() - 1)  # "New profile…"
    d.name.setText(name)
    d.uri.setText(uri)
    d.auth.setCurrentIndex(d.auth.findData(auth))
    d.username.setText(user)
    (d.password if auth == "basic" else d.token).setText(secret)


@pytest.mark.e2e
def test_test_connection_shows_result_in_words(dialog, qtbot,
                                               mlflow_server: MlflowServer) -> None:
    fill(dialog, "server", mlflow_server.url)
    dialog.test_button.click()
    result = dialog.findChild(QLabel, "testResult")
    qtbot.waitUntil(lambda: result.text().startswith("Connected"), timeout=15000)
    assert "registered model" in result.text()


def test_builtin_local_is_read_only(dialog) -> None:
    assert dialog.objectName() == "connectionDialog"
    assert not dialog.uri.isEnabled() and not dialog.save_button.isEnabled()


def test_invalid_uri_is_a_message(dialog) -> None:
    fill(dialog, "bad", "ftp://nope")
    dialog.save()
    assert "must start with" in dialog.result.text()
    assert dialog.store.get("bad") is None


def test_password_goes_to_keychain_not_profiles_file(dialog, memory_keyring) -> None:
    fill(dialog, "prod", "https://mlflow.example.com", "basic", "ann", "pw-Secret-99")
    saved = dialog.save()
    assert saved is not None and saved.username == "ann"
    text = dialog.store.paths.profiles_file.read_text(encoding="utf-8")
    assert "pw-Secret-99" not in text and '"prod"' in text
    assert "pw-Secret-99" in memory_keyring.store.values()


def test_no_keychain_offers_session_only(dialog, monkeypatch) -> None:
    keyring.set_keyring(FailKeyring())
    shown = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(box.text())
        session = next(b for b in box.buttons() if "session only" in b.text())
        monkeypatch.setattr(box, "clickedButton", lambda: session)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    fill(dialog, "nokc", "https://mlflow.example.com", "token", secret="tok-Secret-1")
    saved = dialog.save()
    assert saved is not None
    assert shown and "No system keychain" in shown[0]
    assert dialog.secrets.credentials(saved).token == "tok-Secret-1"
    assert "tok-Secret-1" not in dialog.store.paths.profiles_file.read_text(encoding="utf-8")
