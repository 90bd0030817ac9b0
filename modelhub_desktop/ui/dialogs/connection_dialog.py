"""The `connectionDialog`: add, edit, duplicate, remove and test connection profiles.

Secrets typed here go to the keychain (core.profiles.SecretStore), never to the profiles
file. Where no keychain works the user chooses, in a message box, between keeping the
secret for this session only, a keyring backend named explicitly, or not storing it.
"""

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
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.connection import test_connection
from modelhub_desktop.core.domain import Credentials, Profile, ServerInfo
from modelhub_desktop.core.errors import KeychainUnavailable, ModelHubError
from modelhub_desktop.core.profiles import ProfileStore, SecretStore, same_origin, validate

AUTH_LABELS = [("none", "None"), ("basic", "User and password"), ("token", "Bearer token")]
NEW_ITEM = "＋ New profile…"
SESSION_ONLY = "session"


def _alive(widget: QWidget) -> bool:
    try:
        import shiboken6

        return bool(shiboken6.isValid(widget))
    except ImportError:  # pragma: no cover
        return True


def choose_secret_storage(parent: QWidget, secrets: SecretStore, reason: str) -> str | None:
    """Ask what to do with a secret when the keychain is unavailable.

    Returns SESSION_ONLY, the id of a keyring backend the user picked by name, or None
    (cancelled: the secret is not kept anywhere).
    """
    box = QMessageBox(parent)
    box.setObjectName("noKeychainBox")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("No keychain available")
    box.setText(reason)
    box.setInformativeText(
        "ModelHub Desktop never writes passwords or tokens to a plain file. Keep this secret "
        "for this session only (you will be asked again after a restart)?"
    )
    session = box.addButton("Keep for this session only", QMessageBox.ButtonRole.AcceptRole)
    choices: dict[int, str] = {id(session): SESSION_ONLY}
    for ident, description in secrets.alternatives():
        button = box.addButton(f"Store in {description}", QMessageBox.ButtonRole.ActionRole)
        button.setToolTip(f"Keyring backend {ident}")
        choices[id(button)] = ident
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(session)
    box.exec()
    clicked = box.clickedButton()
    return choices.get(id(clicked)) if clicked is not None else None


class ConnectionDialog(QDialog):
    """Profiles: pick, edit, test, save; `selected_profile()` after `exec()` accepted."""

    profilesChanged = Signal()  # noqa: N815 - Qt naming

    def __init__(
        self,
        store: ProfileStore,
        secrets: SecretStore,
        runner: Any,
        current: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connectionDialog")
        self.setWindowTitle("Connections")
        self.setMinimumWidth(580)
        self.store, self.secrets, self.runner = store, secrets, runner
        self._selected: Profile | None = None
        self._editing: Profile | None = None  # the saved profile the form shows, if any
        self._copied_from: Profile | None = None  # set by Duplicate until saved
        self._test_generation = 0
        self._test_handle: Any = None

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        label = QLabel("&Profile:")
        top.addWidget(label)
        self.combo = QComboBox()
        self.combo.setObjectName("profileCombo")
        self.combo.setAccessibleName("Profile")
        label.setBuddy(self.combo)
        self.combo.currentIndexChanged.connect(self._on_pick)
        top.addWidget(self.combo, 1)
        self.add_button = QPushButton("&Add")
        self.add_button.setObjectName("addProfileButton")
        self.add_button.clicked.connect(self._add)
        self.duplicate_button = QPushButton("D&uplicate")
        self.duplicate_button.setObjectName("duplicateProfileButton")
        self.duplicate_button.clicked.connect(self._duplicate)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setObjectName("removeProfileButton")
        self.remove_button.clicked.connect(self._remove)
        for button in (self.add_button, self.duplicate_button, self.remove_button):
            button.setAutoDefault(False)
            top.addWidget(button)
        layout.addLayout(top)

        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setObjectName("profileName")
        self.uri = QLineEdit()
        self.uri.setObjectName("trackingUri")
        self.uri.setPlaceholderText("https://mlflow.example.com  or  sqlite:////path/mlflow.db")
        self.auth = QComboBox()
        self.auth.setObjectName("authKind")
        for key, text in AUTH_LABELS:
            self.auth.addItem(text, key)
        self.auth.currentIndexChanged.connect(self._update_auth_fields)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.token = QLineEdit()
        self.token.setObjectName("token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        ca_row = QHBoxLayout()
        self.ca_bundle = QLineEdit()
        self.ca_bundle.setObjectName("caBundle")
        self.ca_bundle.setPlaceholderText("optional: PEM file of the CA that signed the server")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setObjectName("browseCaButton")
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self._browse_ca)
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(self.browse_button)
        self.insecure = QCheckBox("S&kip TLS verification")
        self.insecure.setObjectName("insecureTls")
        self.insecure.toggled.connect(self._update_warning)
        self.insecure_warning = QLabel(
            "⚠ The server's identity will not be checked: anyone on the network path could "
            "pose as the server and read your password or token. Use only on a network you "
            "trust."
        )
        self.insecure_warning.setObjectName("insecureWarning")
        self.insecure_warning.setWordWrap(True)
        self.insecure_warning.setStyleSheet("color: #a15c00;")
        self.ui_url = QLineEdit()
        self.ui_url.setObjectName("uiUrl")
        self.ui_url.setPlaceholderText("optional: MLflow web UI address, if not the tracking URI")
        form.addRow("&Name", self.name)
        form.addRow("Tracking &URI", self.uri)
        form.addRow("Au&thentication", self.auth)
        form.addRow("U&ser", self.username)
        form.addRow("Pass&word", self.password)
        form.addRow("T&oken", self.token)
        ca_label = QLabel("&CA bundle")  # a row holding a layout gets no automatic buddy
        ca_label.setBuddy(self.ca_bundle)
        form.addRow(ca_label, ca_row)
        form.addRow("", self.insecure)
        form.addRow("", self.insecure_warning)
        form.addRow("&Web UI", self.ui_url)
        self.form = form
        layout.addLayout(form)

        test_row = QHBoxLayout()
        self.test_button = QPushButton("&Test connection")
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test)
        test_row.addWidget(self.test_button)
        self.busy = QProgressBar()
        self.busy.setObjectName("testBusy")
        self.busy.setRange(0, 0)  # indeterminate
        self.busy.setMaximumWidth(90)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Testing the connection")
        self.busy.hide()
        test_row.addWidget(self.busy)
        self.result_label = QLabel("")
        self.result_label.setObjectName("testResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row.addWidget(self.result_label, 1)
        layout.addLayout(test_row)
        self.readonly_note = QLabel("")
        self.readonly_note.setObjectName("profileNote")
        self.readonly_note.setWordWrap(True)
        self.readonly_note.setStyleSheet("color: gray;")
        layout.addWidget(self.readonly_note)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Sa&ve", QDialogButtonBox.ButtonRole.ApplyRole)
        self.save_button.setObjectName("saveProfileButton")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.connect_button = self.buttons.addButton(
            "Co&nnect", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.connect_button.setObjectName("connectButton")
        self.connect_button.setDefault(True)  # Enter = Connect
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)  # Esc = Cancel (QDialog), via reject()
        self.buttons.accepted.connect(self._connect)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        chain = [
            self.combo,
            self.add_button,
            self.duplicate_button,
            self.remove_button,
            self.name,
            self.uri,
            self.auth,
            self.username,
            self.password,
            self.token,
            self.ca_bundle,
            self.browse_button,
            self.insecure,
            self.ui_url,
            self.test_button,
            self.save_button,
            self.connect_button,
            cancel,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        self._fill_combo(current)
        problems = [p for p in (store.problem, getattr(secrets, "problem", "")) if p]
        if problems:
            self._show_result(False, " ".join(problems))
        self.combo.setFocus()

    # -- profile list ------------------------------------------------------------------------
    def _fill_combo(self, select: str | None) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        for p in self.store.list():
            suffix = {"local": " (built-in)", "environment": " (from environment)"}.get(
                p.source, ""
            )
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
        self._copied_from = None
        self._load(profile or Profile(name="", tracking_uri="https://"))
        self._end_test()
        self.result_label.setText("")
        if profile is None:
            self.name.setFocus()

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
        for w in (
            self.name,
            self.uri,
            self.auth,
            self.username,
            self.password,
            self.token,
            self.ca_bundle,
            self.browse_button,
            self.insecure,
            self.ui_url,
        ):
            w.setEnabled(not builtin)
        self.save_button.setEnabled(not builtin)
        self.remove_button.setEnabled(p.source == "config" and self._editing is not None)
        self.duplicate_button.setEnabled(bool(p.name))
        stored = self._editing is not None and p.source == "config"
        hint = "leave empty to keep the stored one" if stored else "kept in the system keychain"
        self.password.setPlaceholderText(hint)
        self.token.setPlaceholderText(hint)
        if p.source == "local":
            note = "Built-in embedded registry: read only. Duplicate it to make an editable copy."
        elif p.source == "environment":
            note = (
                "From MLflow's environment variables (MLFLOW_TRACKING_URI, "
                "MLFLOW_TRACKING_USERNAME/PASSWORD or TOKEN): read only."
            )
        elif p.auth != "none":
            note = "Passwords and tokens are kept in the system keychain, never in a file."
        else:
            note = ""
        self.readonly_note.setText(note)
        self._update_auth_fields()
        self._update_warning()

    def _update_auth_fields(self) -> None:
        kind = self.auth.currentData()
        for widget, visible in (
            (self.username, kind == "basic"),
            (self.password, kind == "basic"),
            (self.token, kind == "token"),
        ):
            widget.setVisible(visible)
            label = self.form.labelForField(widget)
            if label is not None:
                label.setVisible(visible)
        if self._editing is not None and self._editing.source == "config":
            note = (
                "Passwords and tokens are kept in the system keychain, never in a file."
                if kind != "none"
                else ""
            )
            self.readonly_note.setText(note)

    def _update_warning(self) -> None:
        self.insecure_warning.setVisible(self.insecure.isChecked())

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA bundle", "", "Certificates (*.pem *.crt *.cer);;All files (*)"
        )
        if path:
            self.ca_bundle.setText(path)
            self.insecure.setChecked(False)

    # -- the form as a profile ---------------------------------------------------------------
    def is_builtin(self) -> bool:
        return self._editing is not None and self._editing.source in ("local", "environment")

    def form_profile(self) -> Profile:
        if self._editing is not None and self.is_builtin():
            return self._editing
        return Profile(
            name=self.name.text().strip(),
            tracking_uri=self.uri.text().strip(),
            auth=self.auth.currentData(),
            username=self.username.text().strip(),
            ca_bundle=self.ca_bundle.text().strip(),
            insecure_tls=self.insecure.isChecked(),
            ui_url=self.ui_url.text().strip(),
            source="config",
        )

    def _typed_secret(self, profile: Profile) -> Credentials:
        if profile.auth == "basic":
            return Credentials(password=self.password.text())
        if profile.auth == "token":
            return Credentials(token=self.token.text().strip())
        return Credentials()

    def _resolve_credentials(self, profile: Profile, typed: Credentials) -> Credentials:
        """Typed secret, else the stored one (worker thread: the keychain may be slow)."""
        if typed.password or typed.token or profile.auth == "none":
            return typed
        if profile.source == "environment":
            return self.secrets.credentials(profile)
        for candidate in (profile, self._editing, self._copied_from):
            if candidate is None or candidate.auth != profile.auth:
                continue
            if not same_origin(candidate.tracking_uri, profile.tracking_uri):
                continue  # never send a stored secret to another server
            try:
                creds = self.secrets.credentials(candidate)
            except KeychainUnavailable:
                continue
            if creds.password or creds.token:
                return creds
        return typed

    # -- actions ---------------------------------------------------------------------------
    def test(self) -> None:
        """Run `test_connection` off the UI thread; the result label says what happened."""
        profile = self.form_profile()
        try:
            validate(profile)
        except ModelHubError as exc:
            self._show_result(False, str(exc))
            return
        typed = self._typed_secret(profile)
        self._test_generation += 1
        generation = self._test_generation
        self.test_button.setEnabled(False)
        self.busy.show()
        self._show_result(None, f"Testing {profile.tracking_uri}…")

        def work(ctx: Any) -> ServerInfo:
            creds = self._resolve_credentials(profile, typed)
            ctx.check()
            return test_connection(profile, creds)

        self._test_handle = self.runner.submit(
            work,
            key=f"test-connection-{id(self)}",
            description="test connection",
            on_result=lambda info: self._on_test_ok(generation, profile, info),
            on_error=lambda err: self._on_test_failed(generation, err),
        )

    def _end_test(self) -> None:
        self._test_generation += 1  # a result still on its way is for another form
        if self._test_handle is not None:
            self._test_handle.cancel()
            self._test_handle = None
        self.test_button.setEnabled(True)
        self.busy.hide()

    def _on_test_ok(self, generation: int, profile: Profile, info: ServerInfo) -> None:
        if not _alive(self) or generation != self._test_generation:
            return
        self._end_test()
        noun = "model" if info.model_count == 1 else "models"
        if profile.is_remote:
            text = f"Connected: MLflow {info.server_version}, {info.model_count} registered {noun}."
        else:
            text = f"Store ready: {info.server_version}, {info.model_count} registered {noun}."
        self._show_result(True, text)

    def _on_test_failed(self, generation: int, error: ModelHubError) -> None:
        if not _alive(self) or generation != self._test_generation:
            return
        self._end_test()
        self._show_result(False, f"{error.title}: {error}")

    def _show_result(self, ok: bool | None, text: str) -> None:
        color = {True: "#1a7f37", False: "#b00020", None: "palette(text)"}[ok]
        self.result_label.setStyleSheet(f"color: {color};")
        self.result_label.setText(text)

    def save(self) -> Profile | None:
        """Save the form (secret to the keychain). Returns the saved profile, or None."""
        profile = self.form_profile()
        if self.is_builtin():
            return profile
        editing = self._editing
        old_name = editing.name if editing is not None else None
        if editing is None and self.store.get(profile.name) is not None:
            self._show_result(False, f"A profile named {profile.name!r} already exists.")
            return None
        typed = self._typed_secret(profile)
        secret = typed.password or typed.token
        try:
            saved = self.store.upsert(profile, old_name=old_name)
        except ModelHubError as exc:
            self._show_result(False, str(exc))
            return None
        note = ""
        if saved.auth != "none" and secret:
            if editing is not None and (
                editing.cache_key != saved.cache_key or editing.auth != saved.auth
            ):
                self.secrets.delete(editing)
            if not self._store_secret(saved, typed):
                self.profilesChanged.emit()
                self._fill_combo(saved.name)
                self._show_result(False, f"Saved profile {saved.name}, without its secret.")
                return None
        elif saved.auth != "none":
            source = editing or self._copied_from
            if source is not None and (
                source.cache_key != saved.cache_key or source.auth != saved.auth
            ):
                carried = self.secrets.carry_over(source, saved, keep_old=editing is None)
                if not carried and source.auth != "none":
                    note = (
                        " Enter the password or token again: a stored secret is only sent to "
                        "the server it was saved for."
                    )
        elif editing is not None:
            self.secrets.delete(editing)
        self.profilesChanged.emit()
        self._fill_combo(saved.name)
        self._show_result(True, f"Saved profile {saved.name}.{note}")
        return saved

    def _store_secret(self, profile: Profile, typed: Credentials) -> bool:
        kwargs = {"password": typed.password} if profile.auth == "basic" else {"token": typed.token}
        try:
            self.secrets.save(profile, **kwargs)
            return True
        except KeychainUnavailable as exc:
            reason = str(exc)
        while True:
            choice = choose_secret_storage(self, self.secrets, reason)
            if choice is None:
                return False
            if choice == SESSION_ONLY:
                self.secrets.keep_for_session(profile, **kwargs)
                return True
            try:
                self.secrets.use_backend(choice, remember=False)
                self.secrets.save(profile, **kwargs)
            except ModelHubError as exc:
                reason = str(exc)
                continue
            try:
                self.store.set_secret_backend(choice)  # the same choice on the next launch
            except ModelHubError:
                pass  # still used for this session
            return True

    def _add(self) -> None:
        self.combo.setCurrentIndex(self.combo.count() - 1)  # "New profile…" -> _on_pick

    def _duplicate(self) -> None:
        base = self.form_profile()
        source = self._editing
        existing = {p.name for p in self.store.list()}
        name, n = f"{base.name} copy", 2
        while name in existing:
            name, n = f"{base.name} copy {n}", n + 1
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(self.combo.count() - 1)
        self.combo.blockSignals(False)
        self._editing = None
        self._load(replace(base, name=name, source="config"))
        self._copied_from = source
        self._end_test()
        self._show_result(None, "Copy: change what differs, then Save.")
        self.name.setFocus()
        self.name.selectAll()

    def _remove(self) -> None:
        if self._editing is None or self._editing.source != "config":
            return
        name = self._editing.name
        answer = QMessageBox.question(
            self, "Remove profile", f"Remove the profile “{name}” and its stored secret?"
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.secrets.delete(self._editing)
        try:
            self.store.remove(name)
        except ModelHubError as exc:
            self._show_result(False, str(exc))
            return
        self.profilesChanged.emit()
        self._fill_combo(None)

    def _connect(self) -> None:
        if self._editing is not None and self.is_builtin():
            profile: Profile | None = self._editing
        else:
            dirty = (
                self._editing is None
                or self.form_profile() != self._editing
                or self.password.text()
                or self.token.text()
            )
            profile = self.save() if dirty else self._editing
        if profile is None:
            return
        self._selected = profile
        self.accept()

    def done(self, result: int) -> None:
        self._end_test()
        super().done(result)

    def selected_profile(self) -> Profile | None:
        return self._selected
