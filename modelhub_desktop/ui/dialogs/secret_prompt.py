"""Ask for a profile's password or token when none is stored (or it was rejected).

Where the secret is kept is the user's choice, shown plainly: the system keychain when
one works; otherwise this session only (asked again next launch) or a keyring backend
the user picks by name. Never a plain-text file.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import KeychainUnavailable

SESSION_ONLY = "session"
KEYCHAIN = "keychain"


class SecretPromptDialog(QDialog):
    """The prompt itself; `ask_credentials` runs it and stores the answer."""

    def __init__(
        self,
        parent: QWidget | None,
        profile: Profile,
        reason: str,
        secrets: Any | None = None,
    ) -> None:
        super().__init__(parent)
        self.profile = profile
        self.setObjectName("secretPrompt")
        what = "password" if profile.auth == "basic" else "token"
        self.setWindowTitle(f"Sign in to {profile.name}")
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        text = QLabel(f"{reason}\n\nEnter the {what} for {profile.tracking_uri}.")
        text.setObjectName("secretReason")
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.secret = QLineEdit()
        self.secret.setObjectName("secretField")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName(what.capitalize())
        if profile.auth == "basic":
            form.addRow("User", QLabel(profile.username))
            form.addRow("&Password", self.secret)
        else:
            form.addRow("&Token", self.secret)
        layout.addLayout(form)

        available = False
        alternatives: list[tuple[str, str]] = []
        if secrets is not None:
            available = bool(secrets.keychain_available())
            if not available:
                alternatives = list(secrets.alternatives())
        self.remember = QCheckBox("&Remember in the system keychain")
        self.remember.setObjectName("rememberSecret")
        self.storage = QComboBox()
        self.storage.setObjectName("secretStorage")
        self.storage.addItem("This session only (asked again next launch)", SESSION_ONLY)
        for ident, description in alternatives:
            self.storage.addItem(f"Store in {description}", ident)
        if available:
            description = secrets.backend_description() if secrets is not None else ""
            if description:
                self.remember.setText(f"&Remember in the system keychain ({description})")
            self.remember.setChecked(True)
            layout.addWidget(self.remember)
            self.storage.hide()
        elif alternatives:
            self.remember.hide()
            note = QLabel("No system keychain is available. Keep the secret:")
            note.setWordWrap(True)
            layout.addWidget(note)
            layout.addWidget(self.storage)
        else:
            self.remember.hide()
            self.storage.hide()
            note = QLabel(
                "Kept for this session only and asked again next launch (no system keychain "
                "is available; secrets are never written to a file)."
            )
            note.setObjectName("noKeychainNote")
            note.setWordWrap(True)
            layout.addWidget(note)
        self._available = available
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.secret.setFocus()

    def credentials(self) -> Credentials:
        value = self.secret.text()
        if self.profile.auth == "basic":
            return Credentials(password=value)
        return Credentials(token=value.strip())

    def storage_choice(self) -> str:
        """KEYCHAIN, SESSION_ONLY, or the id of a keyring backend picked by name."""
        if self._available:
            return KEYCHAIN if self.remember.isChecked() else SESSION_ONLY
        return str(self.storage.currentData() or SESSION_ONLY)


def store_secret(secrets: Any, profile: Profile, creds: Credentials, choice: str) -> str:
    """Keep `creds` where the user chose; falls back to this session only. Returns a note."""
    kwargs = {"password": creds.password} if profile.auth == "basic" else {"token": creds.token}
    try:
        if choice == KEYCHAIN:
            secrets.save(profile, **kwargs)
            return ""
        if choice != SESSION_ONLY:
            secrets.use_backend(choice)
            secrets.save(profile, **kwargs)
            return ""
    except KeychainUnavailable as exc:
        secrets.keep_for_session(profile, **kwargs)
        return f"{exc} The secret is kept for this session only."
    secrets.keep_for_session(profile, **kwargs)
    return ""


def ask_credentials(
    parent: QWidget | None, profile: Profile, reason: str, secrets: Any | None = None
) -> Credentials | None:
    """Modal prompt; returns the credentials typed, or None when cancelled.

    With `secrets` (a core.profiles.SecretStore) the answer is also kept where the user
    chose: the keychain, this session only, or a keyring backend picked by name.
    """
    dialog = SecretPromptDialog(parent, profile, reason, secrets)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        creds = dialog.credentials()
        if secrets is not None and (creds.password or creds.token):
            store_secret(secrets, profile, creds, dialog.storage_choice())
        return creds
    finally:
        dialog.deleteLater()
