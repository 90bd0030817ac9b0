"""The one flow for choosing where a secret is kept, used by every dialog that takes one.

The system keychain first; when it cannot keep the secret, the user chooses in a message
box (`noKeychainBox`) between this session only, a keyring backend named explicitly, or
not keeping it at all. The rules themselves live in `core.secret_policy`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import KeychainUnavailable
from modelhub_desktop.core.secret_policy import (
    KEYCHAIN,
    SESSION_ONLY,
    StorageOption,
    fallback_options,
    keep,
)
from modelhub_desktop.core.secrets import BackendMemory, SecretStore


def choose_secret_storage(
    parent: QWidget | None, options: list[StorageOption], reason: str
) -> str | None:
    """Ask where to keep a secret the keychain could not take.

    Returns the chosen option's `choice`, or None (cancelled: the secret is not kept).
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
    choices: dict[int, str] = {}
    first = None
    for option in options:
        role = (
            QMessageBox.ButtonRole.AcceptRole
            if option.choice == SESSION_ONLY
            else QMessageBox.ButtonRole.ActionRole
        )
        button = box.addButton(option.label, role)
        button.setToolTip(option.detail)
        choices[id(button)] = option.choice
        first = first or button
    box.addButton(QMessageBox.StandardButton.Cancel)
    if first is not None:
        box.setDefaultButton(first)
    box.exec()
    clicked = box.clickedButton()
    return choices.get(id(clicked)) if clicked is not None else None


def keep_secret(
    parent: QWidget | None,
    secrets: SecretStore,
    profile: Profile,
    creds: Credentials,
    *,
    choice: str | None = KEYCHAIN,
    reason: str = "",
    memory: BackendMemory | None = None,
) -> bool:
    """Keep `creds` where the user chose; ask (again) whenever that place refuses.

    `choice` None asks first, with `reason`. Returns False when the user declined to keep
    the secret anywhere.
    """
    while True:
        if choice is not None:
            try:
                keep(secrets, profile, creds, choice, memory)
                return True
            except KeychainUnavailable as exc:
                reason = str(exc)
        choice = choose_secret_storage(parent, fallback_options(secrets), reason)
        if choice is None:
            return False
