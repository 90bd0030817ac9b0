"""Ask for a profile's password or token when none is stored (or it was rejected)."""

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
from modelhub_desktop.core.errors import KeychainUnavailable


def ask_credentials(parent: QWidget | None, profile: Profile, reason: str,
                    secrets: object | None = None) -> Credentials | None:
    """Modal prompt; returns the credentials typed, or None when cancelled."""
    dialog = QDialog(parent)
    dialog.setObjectName("secretPrompt")
    dialog.setWindowTitle(f"Sign in to {profile.name}")
    layout = QVBoxLayout(dialog)
    text = QLabel(f"{reason}\n\n{profile.tracking_uri}")
    text.setWordWrap(True)
    layout.addWidget(text)
    form = QFormLayout()
    secret = QLineEdit()
    secret.setObjectName("secretField")
    secret.setEchoMode(QLineEdit.EchoMode.Password)
    if profile.auth == "basic":
        form.addRow("User", QLabel(profile.username))
        form.addRow("Password", secret)
    else:
        form.addRow("Token", secret)
    layout.addLayout(form)
    remember = QCheckBox("Remember in the system keychain")
    remember.setChecked(True)
    available = bool(secrets is not None and secrets.keychain_available())
    remember.setEnabled(available)
    if not available:
        remember.setChecked(False)
        remember.setText("Remember in the system keychain (none available: kept for this "
                         "session only)")
    layout.addWidget(remember)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    secret.setFocus()
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    value = secret.text()
    creds = Credentials(password=value) if profile.auth == "basic" else Credentials(token=value)
    if secrets is not None:
        kwargs = {"password": value} if profile.auth == "basic" else {"token": value}
        try:
            if remember.isChecked():
                secrets.save(profile, **kwargs)  # type: ignore[attr-defined]
            else:
                secrets.keep_for_session(profile, **kwargs)  # type: ignore[attr-defined]
        except KeychainUnavailable:
            secrets.keep_for_session(profile, **kwargs)  # type: ignore[attr-defined]
    return creds
