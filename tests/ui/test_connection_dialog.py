"""The connection dialog and the secret prompt (pytest-qt, offscreen).

Fill fields, test against a real server, save with the secret in the keychain (never in
profiles.json), and the explicit choice offered when no keychain is available.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QWidget,
)

from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore, SecretStore
from modelhub_desktop.ui.dialogs.connection_dialog import ConnectionDialog
from modelhub_desktop.ui.dialogs.secret_prompt import SecretPromptDialog, ask_credentials
from modelhub_desktop.ui.tasks import TaskRunner
from tests.fakes import FailKeyring, MemoryKeyring
from tests.helpers import wait_for_tasks
from tests.servers import MlflowServer, free_port

PASSWORD = "pw-Dialog-Secret-99"
TOKEN = "tok-Dialog-Secret-1"


@pytest.fixture(autouse=True)
def no_other_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    """keyring offers every imported backend class (the test fakes too): none by default."""
    monkeypatch.setattr(SecretStore, "alternatives", lambda self: [])


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(AppPaths.resolve(tmp_path / "d").ensure())


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    r.shutdown()


@pytest.fixture
def make_dialog(qtbot, store: ProfileStore, runner: TaskRunner):  # noqa: ANN201
    def make(current: Profile | str | None = "Local", secrets: SecretStore | None = None):  # noqa: ANN202
        d = ConnectionDialog(store, secrets or SecretStore(store), runner, current=current)
        qtbot.addWidget(d)
        return d

    return make


@pytest.fixture
def dialog(make_dialog) -> ConnectionDialog:
    return make_dialog()


def fill(
    d: ConnectionDialog,
    name: str,
    uri: str,
    auth: str = "none",
    user: str = "",
    secret: str = "",
) -> None:
    combo = d.findChild(QComboBox, "profileCombo")
    combo.setCurrentIndex(combo.count() - 1)  # "New profile…"
    d.findChild(QLineEdit, "profileName").setText(name)
    d.findChild(QLineEdit, "trackingUri").setText(uri)
    auth_box = d.findChild(QComboBox, "authKind")
    auth_box.setCurrentIndex(auth_box.findData(auth))
    d.findChild(QLineEdit, "username").setText(user)
    d.findChild(QLineEdit, "password" if auth == "basic" else "token").setText(secret)


def profiles_json(store: ProfileStore) -> str:
    return store.paths.profiles_file.read_text(encoding="utf-8")


def wait_result(qtbot, d: ConnectionDialog, prefix: str) -> str:  # noqa: ANN001
    result = d.findChild(QLabel, "testResult")
    qtbot.waitUntil(lambda: result.text().startswith(prefix), timeout=15000)
    return result.text()


# -- test connection ---------------------------------------------------------------------------
@pytest.mark.e2e
def test_test_connection_shows_result_in_words(
    dialog: ConnectionDialog, qtbot, mlflow_server: MlflowServer
) -> None:
    fill(dialog, "server", mlflow_server.url)
    busy = dialog.findChild(QProgressBar, "testBusy")
    dialog.findChild(QWidget, "testConnectionButton").click()
    assert busy.isVisibleTo(dialog) and not dialog.test_button.isEnabled()
    text = wait_result(qtbot, dialog, "Connected")
    import mlflow

    assert f"MLflow {mlflow.__version__}" in text and "registered model" in text
    assert not busy.isVisibleTo(dialog) and dialog.test_button.isEnabled()


def test_unreachable_is_said_in_words(dialog: ConnectionDialog, qtbot) -> None:
    fill(dialog, "down", f"http://127.0.0.1:{free_port()}")
    dialog.test()
    text = wait_result(qtbot, dialog, "Server unreachable")
    assert "nothing is listening" in text


def test_local_store_test(dialog: ConnectionDialog, qtbot) -> None:
    dialog.test()  # the built-in Local profile, not created yet
    assert "Store ready" in wait_result(qtbot, dialog, "Store ready")


def test_invalid_input_is_shown_without_running_a_task(dialog: ConnectionDialog) -> None:
    fill(dialog, "bad", "ftp://nope")
    dialog.test()
    assert "must start with" in dialog.result_label.text()
    assert dialog.runner.active() == []
    dialog.save()
    assert "must start with" in dialog.result_label.text()
    assert dialog.store.get("bad") is None


def test_a_late_result_does_not_land_on_another_profile(dialog: ConnectionDialog, qtbot) -> None:
    fill(dialog, "down", f"http://127.0.0.1:{free_port()}")
    dialog.test()
    dialog.combo.setCurrentIndex(0)  # back to Local while the test runs
    assert dialog.test_button.isEnabled()
    wait_for_tasks(qtbot, dialog.runner)  # its result has been delivered (and dropped)
    assert dialog.result_label.text() == ""


def test_stored_password_is_used_for_the_test(
    make_dialog, store: ProfileStore, qtbot, basic_auth_server: MlflowServer
) -> None:
    from tests.servers import ADMIN_PASSWORD, ADMIN_USER

    secrets = SecretStore()
    p = store.upsert(Profile("auth", basic_auth_server.url, auth="basic", username=ADMIN_USER))
    secrets.save(p, password=ADMIN_PASSWORD)
    d = make_dialog("auth", secrets)
    assert d.form.password.text() == "" and "keep the stored" in d.form.password.placeholderText()
    d.test()
    assert "Connected" in wait_result(qtbot, d, "Connected")
    d.form.password.setText("wrong")
    d.test()
    assert "401" in wait_result(qtbot, d, "Authentication failed")


# -- built-ins ---------------------------------------------------------------------------------
def test_builtin_local_is_read_only(dialog: ConnectionDialog) -> None:
    assert dialog.objectName() == "connectionDialog"
    combo = dialog.findChild(QComboBox, "profileCombo")
    assert combo.currentData() == "Local" and "(built-in)" in combo.currentText()
    assert not dialog.form.uri.isEnabled() and not dialog.save_button.isEnabled()
    assert not dialog.remove_button.isEnabled() and dialog.duplicate_button.isEnabled()
    assert "read only" in dialog.form.note.text()


def test_environment_profile_is_listed_read_only(
    make_dialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "https://env.example.com")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", TOKEN)
    d = make_dialog("Environment")
    assert d.combo.currentText() == "Environment (from environment)"
    assert d.form.uri.text() == "https://env.example.com" and not d.form.uri.isEnabled()
    assert d.form.auth.currentData() == "token" and d.form.token.text() == ""  # never displayed
    assert "environment variables" in d.form.note.text()


# -- save: secrets to the keychain only --------------------------------------------------------
def test_password_goes_to_keychain_not_profiles_file(
    dialog: ConnectionDialog, memory_keyring: MemoryKeyring, qtbot
) -> None:
    fill(dialog, "prod", "https://mlflow.example.com", "basic", "ann", PASSWORD)
    assert dialog.form.password.echoMode() == QLineEdit.EchoMode.Password
    with qtbot.waitSignal(dialog.profilesChanged):
        saved = dialog.save()
    assert saved is not None and saved.username == "ann"
    text = profiles_json(dialog.store)
    assert PASSWORD not in text and json.loads(text)["profiles"][0]["name"] == "prod"
    assert list(memory_keyring.store.values()) == [PASSWORD]
    assert dialog.combo.currentData() == "prod" and dialog.form.password.text() == ""


def test_auth_fields_follow_the_choice(dialog: ConnectionDialog) -> None:
    fill(dialog, "x", "https://h.example.com", "token")
    assert dialog.form.token.isVisibleTo(dialog) and not dialog.form.password.isVisibleTo(dialog)
    dialog.form.auth.setCurrentIndex(dialog.form.auth.findData("basic"))
    assert dialog.form.password.isVisibleTo(dialog) and dialog.form.username.isVisibleTo(dialog)
    assert not dialog.form.token.isVisibleTo(dialog)
    dialog.form.auth.setCurrentIndex(dialog.form.auth.findData("none"))
    form = dialog.form
    assert not form.password.isVisibleTo(dialog) and not form.username.isVisibleTo(dialog)


def test_skip_verification_shows_a_warning(dialog: ConnectionDialog) -> None:
    fill(dialog, "x", "https://h.example.com")
    warning = dialog.findChild(QLabel, "insecureWarning")
    assert not warning.isVisibleTo(dialog)
    dialog.form.insecure.setChecked(True)
    assert warning.isVisibleTo(dialog) and "trust" in warning.text()
    saved = dialog.save()
    assert saved is not None and saved.insecure_tls


def test_new_profile_cannot_overwrite_an_existing_one(
    dialog: ConnectionDialog, store: ProfileStore
) -> None:
    store.upsert(Profile("prod", "https://a.example.com"))
    fill(dialog, "prod", "https://b.example.com")
    assert dialog.save() is None and "already exists" in dialog.result_label.text()
    assert store.get("prod").tracking_uri == "https://a.example.com"  # type: ignore[union-attr]


def test_rename_keeps_the_secret_and_duplicate_copies_it(
    make_dialog, store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    secrets = SecretStore()
    p = store.upsert(Profile("a", "https://h.example.com", auth="basic", username="u"))
    secrets.save(p, password=PASSWORD)
    d = make_dialog("a", secrets)
    d.form.name.setText("b")
    renamed = d.save()
    assert renamed is not None and store.get("a") is None
    assert secrets.credentials(renamed).password == PASSWORD
    d.duplicate_button.click()
    assert d.form.name.text() == "b copy" and d.combo.currentData() is None
    copy = d.save()
    assert copy is not None and copy.name == "b copy"
    assert secrets.credentials(copy).password == PASSWORD
    assert secrets.credentials(renamed).password == PASSWORD
    # pointing the copy at another server drops its secret instead of sending it there
    d.form.uri.setText("https://other.example.com")
    moved = d.save()
    assert moved is not None and "Enter the password or token again" in d.result_label.text()
    assert secrets.credentials(moved).password == ""
    assert sorted(memory_keyring.store.values()) == [PASSWORD]  # only "b" keeps one
    assert PASSWORD not in profiles_json(store)


def test_remove_deletes_profile_and_secret(
    make_dialog, store: ProfileStore, memory_keyring: MemoryKeyring, monkeypatch
) -> None:
    secrets = SecretStore()
    p = store.upsert(Profile("gone", "https://h.example.com", auth="token"))
    secrets.save(p, token=TOKEN)
    d = make_dialog("gone", secrets)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    d.remove_button.click()
    assert store.get("gone") is None and memory_keyring.store == {}
    assert d.combo.currentData() == "Local"


def test_add_button_starts_a_new_profile(dialog: ConnectionDialog) -> None:
    dialog.add_button.click()
    assert dialog.combo.currentData() is None
    assert dialog.form.name.text() == "" and dialog.form.name.isEnabled()
    assert dialog.form.uri.text() == "https://"


# -- no keychain: an explicit choice -----------------------------------------------------------
def click_in_box(monkeypatch: pytest.MonkeyPatch, label: str | None, seen: list[QMessageBox]):  # noqa: ANN201
    """Patch QMessageBox.exec: record the box, 'click' the button whose text has `label`."""

    def fake_exec(box: QMessageBox) -> int:
        seen.append(box)
        if label is None:
            button = box.button(QMessageBox.StandardButton.Cancel)
        else:
            button = next(b for b in box.buttons() if label in b.text())
        monkeypatch.setattr(box, "clickedButton", lambda: button)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)


def test_no_keychain_offers_session_only(dialog: ConnectionDialog, monkeypatch) -> None:
    keyring.set_keyring(FailKeyring())
    seen: list[QMessageBox] = []
    click_in_box(monkeypatch, "session only", seen)
    fill(dialog, "nokc", "https://mlflow.example.com", "token", secret=TOKEN)
    saved = dialog.save()
    assert saved is not None
    assert len(seen) == 1 and seen[0].objectName() == "noKeychainBox"
    assert "No system keychain" in seen[0].text()
    assert "never writes" in seen[0].informativeText()
    labels = [b.text() for b in seen[0].buttons()]
    assert "Keep for this session only" in labels and len(labels) == 2  # + Cancel
    assert dialog.secrets.credentials(saved).token == TOKEN
    assert TOKEN not in profiles_json(dialog.store)


def test_no_keychain_cancel_keeps_the_secret_nowhere(dialog: ConnectionDialog, monkeypatch) -> None:
    keyring.set_keyring(FailKeyring())
    click_in_box(monkeypatch, None, [])
    fill(dialog, "nokc", "https://mlflow.example.com", "basic", "u", PASSWORD)
    assert dialog.save() is None
    assert "without its secret" in dialog.result_label.text()
    saved = dialog.store.get("nokc")
    assert saved is not None  # the profile itself is saved
    assert not dialog.secrets.has_session_secret(saved)
    assert PASSWORD not in profiles_json(dialog.store)


def test_no_keychain_offers_a_named_alternative(
    dialog: ConnectionDialog, monkeypatch, store: ProfileStore
) -> None:
    keyring.set_keyring(FailKeyring())
    monkeypatch.setattr(
        SecretStore,
        "alternatives",
        lambda self: [("tests.fakes.MemoryKeyring", "Test keychain")],
    )
    seen: list[QMessageBox] = []
    click_in_box(monkeypatch, "Store in Test keychain", seen)
    fill(dialog, "alt", "https://mlflow.example.com", "token", secret=TOKEN)
    saved = dialog.save()
    assert saved is not None
    assert [b.text() for b in seen[0].buttons() if "Store in" in b.text()] == [
        "Store in Test keychain"
    ]
    assert dialog.secrets.backend_id() == "tests.fakes.MemoryKeyring"
    picked = dialog.secrets._keyring()  # the backend the user picked holds the secret
    assert isinstance(picked, MemoryKeyring) and list(picked.store.values()) == [TOKEN]
    assert dialog.secrets.credentials(saved).token == TOKEN
    assert store.secret_backend() == "tests.fakes.MemoryKeyring"  # remembered by name
    assert TOKEN not in profiles_json(store)


def test_unreadable_profiles_file_is_reported(make_dialog, store: ProfileStore) -> None:
    store.paths.profiles_file.write_text("{broken", encoding="utf-8")
    d = make_dialog()
    assert "unreadable" in d.result_label.text() and "moved to" in d.result_label.text()
    assert d.combo.count() == 2  # Local + "New profile…"


# -- keyboard ----------------------------------------------------------------------------------
def test_enter_connects_and_escape_cancels(make_dialog, qtbot) -> None:
    d = make_dialog()
    d.show()
    qtbot.waitExposed(d)
    assert d.connect_button.isDefault()
    qtbot.keyClick(d.combo, Qt.Key.Key_Return)
    assert d.result() == QDialog.DialogCode.Accepted
    assert d.selected_profile() is not None and d.selected_profile().name == "Local"

    e = make_dialog()
    e.show()
    qtbot.waitExposed(e)
    qtbot.keyClick(e.combo, Qt.Key.Key_Escape)
    assert e.result() == QDialog.DialogCode.Rejected and e.selected_profile() is None


def test_connect_saves_a_new_profile_first(dialog: ConnectionDialog, qtbot) -> None:
    fill(dialog, "fresh", "http://127.0.0.1:5000")
    with qtbot.waitSignal(dialog.profilesChanged):
        dialog.connect_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.selected_profile() == dialog.store.get("fresh")


def test_tab_order_follows_the_form(dialog: ConnectionDialog) -> None:
    fill(dialog, "x", "https://h.example.com", "basic")
    order = []
    widget: QWidget = dialog.combo
    for _ in range(20):
        order.append(widget.objectName())
        widget = widget.nextInFocusChain()
        while (widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.objectName()
               or not widget.isVisibleTo(dialog)):
            widget = widget.nextInFocusChain()
    wanted = ["profileCombo", "addProfileButton", "duplicateProfileButton",
              "removeProfileButton", "profileName", "trackingUri", "authKind", "username",
              "password", "caBundle", "browseCaButton", "insecureTls", "uiUrl",
              "s3EndpointUrl", "testConnectionButton", "saveProfileButton",
              "connectButton"]  # fmt: skip
    assert order[: len(wanted)] == wanted


# -- the secret prompt -------------------------------------------------------------------------
def test_secret_prompt_remembers_in_keychain(qtbot, memory_keyring: MemoryKeyring) -> None:
    p = Profile("p", "https://h.example.com", auth="basic", username="ann")
    secrets = SecretStore()
    prompt = SecretPromptDialog(None, p, "The server rejected the password.", secrets)
    qtbot.addWidget(prompt)
    assert prompt.objectName() == "secretPrompt"
    assert prompt.remember.isVisibleTo(prompt) and prompt.remember.isChecked()
    assert prompt.secret.echoMode() == QLineEdit.EchoMode.Password

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.objectName() == "secretPrompt"
        dialog.findChild(QLineEdit, "secretField").setText(PASSWORD)
        dialog.accept()

    QTimer.singleShot(0, answer)
    creds = ask_credentials(None, p, "No password is stored.", secrets)
    assert creds == Credentials(password=PASSWORD)
    assert list(memory_keyring.store.values()) == [PASSWORD]


def test_secret_prompt_without_keychain_keeps_for_session(qtbot, monkeypatch) -> None:
    keyring.set_keyring(FailKeyring())
    seen: list[QMessageBox] = []
    click_in_box(monkeypatch, "session only", seen)  # the same choice as in the dialog
    p = Profile("p", "https://h.example.com", auth="token")
    secrets = SecretStore()
    prompt = SecretPromptDialog(None, p, "No keychain.", secrets)
    qtbot.addWidget(prompt)
    assert not prompt.remember.isVisibleTo(prompt)
    note = prompt.findChild(QLabel, "noKeychainNote")
    assert note is not None and "session only" in note.text()

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.findChild(QLineEdit, "secretField").setText(TOKEN + "\n")
        dialog.accept()

    QTimer.singleShot(0, answer)
    creds = ask_credentials(None, p, "No keychain.", secrets)
    assert creds == Credentials(token=TOKEN)
    assert [box.objectName() for box in seen] == ["noKeychainBox"]
    assert secrets.credentials(p).token == TOKEN  # this session only
    with pytest.raises(Exception, match="No system keychain"):
        SecretStore().credentials(p)


def test_secret_prompt_cancel_returns_none(qtbot) -> None:
    p = Profile("p", "https://h.example.com", auth="token")
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert ask_credentials(None, p, "Sign in", SecretStore()) is None


# -- the active connection ---------------------------------------------------------------------
def test_opens_on_an_unsaved_tracking_uri_connection_and_saves_it(
    make_dialog, store: ProfileStore, qtbot
) -> None:
    active = store.for_tracking_uri("http://127.0.0.1:5999")
    d = make_dialog(active)
    assert d.combo.currentIndex() == 0
    assert d.combo.currentText() == "127.0.0.1:5999 (from --tracking-uri, not saved)"
    assert d.form.uri.text() == "http://127.0.0.1:5999" and not d.form.uri.isEnabled()
    assert "--tracking-uri" in d.form.note.text()
    save_as = d.findChild(QWidget, "saveAsProfileButton")
    assert save_as.isVisibleTo(d)
    save_as.click()
    assert d.form.name.isEnabled() and d.form.name.text() == "127.0.0.1:5999"
    d.form.name.setText("lab server")
    with qtbot.waitSignal(d.profilesChanged):
        saved = d.save()
    assert saved is not None and saved.tracking_uri == "http://127.0.0.1:5999"
    assert store.get("lab server") == saved
    assert d.combo.currentText() == "lab server"


def test_saved_active_profile_is_selected_and_offers_no_save_as(
    make_dialog, store: ProfileStore
) -> None:
    prod = store.upsert(Profile("prod", "https://prod.example.com"))
    d = make_dialog(prod)
    assert d.combo.currentData() == "prod"
    assert not d.findChild(QWidget, "saveAsProfileButton").isVisibleTo(d)
    local = make_dialog(store.local_profile())
    assert local.combo.currentText() == "Local (built-in)"


def test_environment_connection_saved_as_profile_keeps_its_password(
    make_dialog, store: ProfileStore, memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "https://env.example.com")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "ann")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", PASSWORD)
    d = make_dialog(store.get("Environment"))
    assert d.combo.currentText() == "Environment (from environment)"
    d.findChild(QWidget, "saveAsProfileButton").click()
    assert d.form.name.text() == "env.example.com"
    saved = d.save()
    assert saved is not None and saved.auth == "basic" and saved.username == "ann"
    assert d.secrets.credentials(saved).password == PASSWORD
    assert list(memory_keyring.store.values()) == [PASSWORD]
    assert PASSWORD not in profiles_json(store)


def test_s3_endpoint_is_edited_validated_and_saved(dialog: ConnectionDialog) -> None:
    fill(dialog, "minio", "http://127.0.0.1:5000")
    field = dialog.findChild(QLineEdit, "s3EndpointUrl")
    label = dialog.form.layout_form.labelForField(field)
    assert label is not None and label.text() == "S3 endpoint URL (S3-compatible artifact stores)"
    field.setText("minio.local:9000")
    assert dialog.save() is None and "S3 endpoint URL" in dialog.result_label.text()
    field.setText("http://minio.local:9000")
    saved = dialog.save()
    assert saved is not None and saved.s3_endpoint_url == "http://minio.local:9000"
    assert json.loads(profiles_json(dialog.store))["profiles"][0]["s3_endpoint_url"] == (
        "http://minio.local:9000")
    assert dialog.findChild(QLineEdit, "s3EndpointUrl").text() == "http://minio.local:9000"
