"""The `connectionDialog`: add, edit, remove and test connection profiles."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.connection import test_connection
from modelhub_desktop.core.domain import Credentials, Profile, ServerInfo
from modelhub_desktop.core.errors import KeychainUnavailable, ModelHubError
from modelhub_desktop.core.profiles import ProfileStore, SecretStore, validate

AUTH_LABELS = [("none", "None"), ("basic", "User and password"), ("token", "Bearer token")]
NEW_ITEM = "＋ New profile…"


class ConnectionDialog(QDialog):
    profilesChanged = Signal()  # noqa: N815

    def __init__(self, store: ProfileStore, secrets: SecretStore, runner: Any,
                 current: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionDialog")
        self.setWindowTitle("Connections")
        self.setMinimumWidth(560)
        self.store, self.secrets, self.runner = store, secrets, runner
        self._selected: Profile | None = None
        self._editing: Profile | None = None

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Profile:"))
        self.combo = QComboBox()
        self.combo.setObjectName("profileCombo")
        self.combo.currentIndexChanged.connect(self._on_pick)
        top.addWidget(self.combo, 1)
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.clicked.connect(self._duplicate)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("removeProfileButton")
        self.remove_button.clicked.connect(self._remove)
        top.addWidget(self.duplicate_button)
        top.addWidget(self.remove_button)
        layout.addLayout(top)

        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setObjectName("profileName")
        self.uri = QLineEdit()
        self.uri.setObjectName("trackingUri")
        self.uri.setPlaceholderText("https://mlflow.example.com  or  sqlite:///path/mlflow.db")
        self.auth = QComboBox()
        self.auth.setObjectName("authKind")
        for key, label in AUTH_LABELS:
            self.auth.addItem(label, key)
        self.auth.currentIndexChanged.connect(self._update_auth_fields)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("stored in the system keychain")
        self.token = QLineEdit()
        self.token.setObjectName("token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("stored in the system keychain")
        ca_row = QHBoxLayout()
        self.ca_bundle = QLineEdit()
        self.ca_bundle.setObjectName("caBundle")
        self.ca_bundle.setPlaceholderText("optional: PEM file of the CA that signed the server")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_ca)
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(browse)
        self.insecure = QCheckBox("Skip TLS verification")
        self.insecure.setObjectName("insecureTls")
        self.insecure.toggled.connect(self._update_warning)
        self.insecure_warning = QLabel(
            "⚠ The server's identity will not be checked: anyone on the network path could "
            "read your credentials. Use only on a network you trust."
        )
        self.insecure_warning.setWordWrap(True)
        self.insecure_warning.setStyleSheet("color: #a15c00;")
        self.ui_url = QLineEdit()
        self.ui_url.setObjectName("uiUrl")
        self.ui_url.setPlaceholderText("optional: MLflow web UI address, if not the tracking URI")
        form.addRow("Name", self.name)
        form.addRow("Tracking URI", self.uri)
        form.addRow("Authentication", self.auth)
        form.addRow("User", self.username)
        form.addRow("Password", self.password)
        form.addRow("Token", self.token)
        form.addRow("CA bundle", ca_row)
        form.addRow("", self.insecure)
        form.addRow("", self.insecure_warning)
        form.addRow("Web UI", self.ui_url)
        self.form = form
        layout.addLayout(form)

        test_row = QHBoxLayout()
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.clicked.connect(self.test)
        test_row.addWidget(self.test_button)
        self.result = QLabel("")
        self.result.setObjectName("testResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row.addWidget(self.result, 1)
        layout.addLayout(test_row)
        self.readonly_note = QLabel("")
        self.readonly_note.setStyleSheet("color: gray;")
        layout.addWidget(self.readonly_note)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.ApplyRole)
        self.save_button.setObjectName("saveProfileButton")
        self.save_button.clicked.connect(self.save)
        self.connect_button = self.buttons.addButton(
            "Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setObjectName("connectButton")
        self.connect_button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._connect)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._fill_combo(current)

    # -- profile list ------------------------------------------------------------------------
    def _fill_combo(self, select: str | None) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        for p in self.store.list():
            suffix = {"local": " (built-in)", "environment": " (from environment)"}.get(
                p.source, "")
            self.combo.addItem(p.name + suffix, p.name)
        self.combo.addItem(NEW_ITEM, None)
        index = max(0, self.combo.findData(select)) if select else 0
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        self._on_pick(index)

    def _on_pick(self, index: int) -> None:
        name = self.combo.itemData(index)
        profile = self.store.get(name) if name else None
        self._editing = profile
        self._load(profile or Profile(name="", tracking_uri="https://"))
        self.result.setText("")

    def _load(self, p: Profile) -> None:
        self.name.setText(p.name)
        self.uri.setText(p.tracking_uri)
        self.auth.setCurrentIndex(max(0, self.auth.findData(p.auth)))
        self.username.setText(p.username)
        self.password.clear()
        self.token.clear()
        self.ca_bundle.setText(p.ca_bundle)
        self.insecure.setChecked(p.insecure_tls)
        self.ui_url.setText(p.ui_url)
        builtin = p.source in ("local", "environment")
        for w in (self.name, self.uri, self.auth, self.username, self.password, self.token,
                  self.ca_bundle, self.insecure, self.ui_url):
            w.setEnabled(not builtin)
        self.save_button.setEnabled(not builtin)
        self.remove_button.setEnabled(p.source == "config")
        self.duplicate_button.setEnabled(bool(p.name))
        self.readonly_note.setText(
            "Built-in profile: read only. Duplicate it to make an editable copy." if builtin
            else ("Secrets are kept in the system keychain." if p.auth != "none" else ""))
        self._update_auth_fields()
        self._update_warning()

    def _update_auth_fields(self) -> None:
        kind = self.auth.currentData()
        for widget, visible in ((self.username, kind == "basic"),
                                (self.password, kind == "basic"), (self.token, kind == "token")):
            widget.setVisible(visible)
            label = self.form.labelForField(widget)
            if label is not None:
                label.setVisible(visible)

    def _update_warning(self) -> None:
        self.insecure_warning.setVisible(self.insecure.isChecked())

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA bundle", "",
                                              "Certificates (*.pem *.crt *.cer);;All files (*)")
        if path:
            self.ca_bundle.setText(path)

    # -- the form as a profile ---------------------------------------------------------------
    def form_profile(self) -> Profile:
        if self._editing is not None and self._editing.source in ("local", "environment"):
            return self._editing
        return Profile(
            name=self.name.text().strip(), tracking_uri=self.uri.text().strip(),
            auth=self.auth.currentData(), username=self.username.text().strip(),
            ca_bundle=self.ca_bundle.text().strip(), insecure_tls=self.insecure.isChecked(),
            ui_url=self.ui_url.text().strip(), source="config",
        )

    def form_credentials(self, profile: Profile) -> Credentials:
        typed = Credentials(password=self.password.text(), token=self.token.text())
        if typed.password or typed.token:
            return typed
        try:
            return self.secrets.credentials(profile)
        except KeychainUnavailable:
            return Credentials()

    # -- actions ---------------------------------------------------------------------------
    def test(self) -> None:
        profile = self.form_profile()
        try:
            validate(profile)
        except ModelHubError as exc:
            self._show_result(False, str(exc))
            return
        creds = self.form_credentials(profile)
        self.test_button.setEnabled(False)
        self.result.setText("Testing…")
        self.runner.submit(
            lambda ctx: test_connection(profile, creds), key="test-connection",
            description="test connection",
            on_result=self._on_test_ok, on_error=self._on_test_failed,
        )

    def _on_test_ok(self, info: ServerInfo) -> None:
        self.test_button.setEnabled(True)
        noun = "model" if info.model_count == 1 else "models"
        self._show_result(True, f"Connected: MLflow {info.server_version}, "
                                f"{info.model_count} registered {noun}.")

    def _on_test_failed(self, error: ModelHubError) -> None:
        self.test_button.setEnabled(True)
        self._show_result(False, f"{error.title}: {error}")

    def _show_result(self, ok: bool, text: str) -> None:
        self.result.setStyleSheet("color: #1a7f37;" if ok else "color: #b00020;")
        self.result.setText(text)

    def save(self) -> Profile | None:
        profile = self.form_profile()
        if profile.source in ("local", "environment"):
            return profile
        old_name = self._editing.name if self._editing is not None else None
        try:
            saved = self.store.upsert(profile, old_name=old_name)
        except ModelHubError as exc:
            self._show_result(False, str(exc))
            return None
        secret = self.password.text() if saved.auth == "basic" else self.token.text()
        if saved.auth != "none" and secret and not self._store_secret(saved, secret):
            return None
        self.profilesChanged.emit()
        self._fill_combo(saved.name)
        self._show_result(True, f"Saved profile {saved.name}.")
        return saved

    def _store_secret(self, profile: Profile, secret: str) -> bool:
        kwargs = {"password": secret} if profile.auth == "basic" else {"token": secret}
        try:
            self.secrets.save(profile, **kwargs)
            return True
        except KeychainUnavailable as exc:
            box = QMessageBox(self)
            box.setObjectName("noKeychainBox")
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("No keychain available")
            box.setText(str(exc))
            box.setInformativeText(
                "ModelHub Desktop never writes secrets to a file. Keep this secret for this "
                "session only (you will be asked again after a restart)?")
            session = box.addButton("Keep for this session only",
                                    QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Cancel)
            box.exec()
            if box.clickedButton() is session:
                self.secrets.keep_for_session(profile, **kwargs)
                return True
            self._show_result(False, "The secret was not stored.")
            return False

    def _duplicate(self) -> None:
        base = self.form_profile()
        self._editing = None
        self._load(replace(base, name=f"{base.name} copy", source="config"))
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(self.combo.count() - 1)
        self.combo.blockSignals(False)

    def _remove(self) -> None:
        if self._editing is None or self._editing.source != "config":
            return
        name = self._editing.name
        answer = QMessageBox.question(self, "Remove profile",
                                      f"Remove the profile “{name}” and its stored secret?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.secrets.delete(self._editing)
        self.store.remove(name)
        self.profilesChanged.emit()
        self._fill_combo(None)

    def _connect(self) -> None:
        dirty = (self._editing is None or self.form_profile() != self._editing
                 or self.password.text() or self.token.text())
        profile = self.save() if dirty else self._editing
        if profile is None:
            return
        self._selected = profile
        self.accept()

    def selected_profile(self) -> Profile | None:
        return self._selected
