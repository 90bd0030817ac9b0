"""Ask for a profile's password or token when none is stored (or it was rejected).

Where the secret is kept is the user's choice, shown plainly: the system keychain when
one works; otherwise the same choice the connection dialog offers (`keep_secret`): this
session only (asked again next launch) or a keyring backend picked by name. Never a
plain-text file.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.secret_policy import KEYCHAIN, SESSION_ONLY
from modelhub_desktop.core.secrets import NO_KEYCHAIN, SecretStore
from modelhub_desktop.ui.dialogs.secret_storage import keep_secret


class SecretPromptDialog(QDialog):
    """The prompt itself; `ask_credentials` runs it and stores the answer."""

    def __init__(
        self,
        parent: QWidget | None,
        profile: Profile,
        reason: str,
        secrets: SecretStore | None = None,
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

        self._secrets = secrets
        available = secrets is not None and secrets.keychain_available()
        self.remember = QCheckBox("&Remember in the system keychain")
        self.remember.setObjectName("rememberSecret")
        if available:
            description = secrets.backend_description() if secrets is not None else ""
            if description:
                self.remember.setText(f"&Remember in the system keychain ({description})")
            self.remember.setChecked(True)
            layout.addWidget(self.remember)
        else:
            self.remember.hide()
            note = QLabel(
                "No system keychain is available, and secrets are never written to a file: "
                "after OK you choose where to keep it (this session only, asked again next "
                "launch, or another secret storage if one is installed)."
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

    def storage_choice(self) -> str | None:
        """KEYCHAIN, SESSION_ONLY, or None: no keychain, ask where (`keep_secret`)."""
        if self._available:
            return KEYCHAIN if self.remember.isChecked() else SESSION_ONLY
        return None


def ask_credentials(
    parent: QWidget | None, profile: Profile, reason: str, secrets: SecretStore | None = None
) -> Credentials | None:
    """Modal prompt; returns the credentials typed, or None when cancelled.

    With `secrets` the answer is also kept where the user chose (`keep_secret`: the
    keychain, this session only, or a keyring backend picked by name).
    """
    dialog = SecretPromptDialog(parent, profile, reason, secrets)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        creds = dialog.credentials()
        if secrets is not None and (creds.password or creds.token):
            keep_secret(parent, secrets, profile, creds, choice=dialog.storage_choice(),
                        reason=NO_KEYCHAIN)
        return creds
    finally:
        dialog.deleteLater()
