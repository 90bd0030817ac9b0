"""Secrets per profile: the OS keychain, or memory for this session, never a file.

Passwords and tokens are never written to the profiles file, a log line or an error
message: they live only in the keychain, or - when no keychain is available and the user
explicitly chooses it - in memory for this session only, or in another keyring backend
the user picked by name. There is no plain-text fallback. Which secret may go where is
decided in `core.secret_policy`.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import KeychainUnavailable

KEYRING_SERVICE = "modelhub-desktop"

_FRIENDLY_BACKENDS = {
    "keyring.backends.SecretService.Keyring": "Secret Service (GNOME Keyring / KWallet)",
    "keyring.backends.libsecret.Keyring": "libsecret (GNOME Keyring)",
    "keyring.backends.kwallet.DBusKeyring": "KDE Wallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KDE Wallet 4",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
    "keyring.backends.fail.Keyring": "none (no keychain found)",
    "keyring.backends.null.Keyring": "none (keychain disabled)",
    "keyrings.alt.file.EncryptedKeyring": "encrypted file protected by a master password",
}
_UNUSABLE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyring.backends.chainer")

NO_KEYCHAIN = (
    "No system keychain is available to store the password or token (on Linux: no Secret "
    "Service such as GNOME Keyring or KWallet is running). ModelHub Desktop never writes "
    "secrets to a plain file: it can keep the secret for this session only and ask again "
    "next time. Alternatively set MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or "
    "MLFLOW_TRACKING_TOKEN before starting the app and use the Environment profile."
)


class BackendMemory(Protocol):
    """Where the user's choice of keyring backend is remembered (the profiles file)."""

    def secret_backend(self) -> str: ...

    def set_secret_backend(self, backend_id: str) -> None: ...


def backend_id(backend: object) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def describe_backend(backend: object) -> str:
    ident = backend_id(backend)
    if ident in _FRIENDLY_BACKENDS:
        return _FRIENDLY_BACKENDS[ident]
    name = getattr(type(backend), "name", "") or ""
    return str(name) if isinstance(name, str) and name else ident


class SecretStore:
    """Secrets per profile in the OS keychain (or a keyring backend the user picked by name).

    When no keychain works every keychain call raises KeychainUnavailable with a plain
    sentence; the UI then offers `keep_for_session` (memory only) or `use_backend(id)` for
    one of `alternatives()`. Nothing here writes a secret to a file or a log.
    """

    def __init__(self, store: BackendMemory | None = None) -> None:
        self._session: dict[str, Credentials] = {}
        self._backend: Any = None  # None: keyring's default (what keyring.get_keyring() says)
        self._store = store
        #: A sentence for the user when the backend chosen earlier could not be loaded.
        self.problem = ""
        chosen = store.secret_backend() if store is not None else ""
        if chosen:
            try:
                self.use_backend(chosen, remember=False)
            except KeychainUnavailable as exc:
                self.problem = str(exc)

    # -- backend ---------------------------------------------------------------------------
    def _keyring(self) -> Any:
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    def backend_id(self) -> str:
        return backend_id(self._keyring())

    def backend_description(self) -> str:
        """In words: where secrets go, e.g. "Secret Service (GNOME Keyring / KWallet)"."""
        return describe_backend(self._keyring())

    def keychain_available(self) -> bool:
        """True if a keychain answers (headless Linux gives keyring's `fail` backend)."""
        try:
            self._keyring().get_password(KEYRING_SERVICE, "availability-probe")
            return True
        except Exception:  # noqa: BLE001 - a broken backend is an unavailable one
            return False

    def alternatives(self) -> list[tuple[str, str]]:
        """Other installed, working keyring backends as (id, description), for the user to pick.

        Plain-text backends (e.g. keyrings.alt's PlaintextKeyring) are never offered.
        """
        try:
            from keyring.backend import get_all_keyring

            candidates = get_all_keyring()
        except Exception:  # noqa: BLE001 - no alternatives then
            return []
        current = self.backend_id()
        out: list[tuple[str, str]] = []
        for kr in candidates:
            ident = backend_id(kr)
            if ident == current or ident.startswith(_UNUSABLE_MODULES):
                continue
            if "plaintext" in ident.lower() or "uncrypted" in ident.lower():
                continue
            out.append((ident, describe_backend(kr)))
        return sorted(set(out))

    def use_backend(self, ident: str, remember: bool = True) -> None:
        """Use the keyring backend named `ident` (the user's explicit choice); "" = default."""
        if not ident:
            self._backend = None
        else:
            if "plaintext" in ident.lower():
                raise KeychainUnavailable("Plain-text secret storage is not supported.")
            try:
                from keyring.core import load_keyring

                self._backend = load_keyring(ident)
            except Exception as exc:  # noqa: BLE001 - uninstalled or broken backend
                raise KeychainUnavailable(
                    f"The secret storage {ident!r} chosen earlier could not be loaded "
                    f"({type(exc).__name__}); passwords will be asked for again."
                ) from None
        if remember:
            self.remember_backend(ident)

    def remember_backend(self, ident: str) -> None:
        """Remember the backend chosen by name for the next launch (if this store can)."""
        if self._store is not None:
            self._store.set_secret_backend(ident)

    # -- secrets ---------------------------------------------------------------------------
    @staticmethod
    def _account(profile: Profile, kind: str) -> str:
        return f"{profile.name}\n{profile.tracking_uri}\n{kind}"

    @staticmethod
    def kind(profile: Profile) -> str:
        """"password" for basic auth, "token" otherwise: the keychain entry's kind."""
        return "password" if profile.auth == "basic" else "token"

    def has_session_secret(self, profile: Profile) -> bool:
        return profile.cache_key in self._session

    def credentials(self, profile: Profile) -> Credentials:
        """The profile's secret: env vars (Environment), this session's, or the keychain's.

        Raises KeychainUnavailable when the secret would come from a keychain that is absent.
        """
        if profile.source == "environment":
            return Credentials(
                password=os.environ.get("MLFLOW_TRACKING_PASSWORD", ""),
                token=os.environ.get("MLFLOW_TRACKING_TOKEN", "").strip(),
            )
        if profile.auth == "none":
            return Credentials()
        if profile.cache_key in self._session:
            return self._session[profile.cache_key]
        kind = self.kind(profile)
        try:
            secret = self._keyring().get_password(KEYRING_SERVICE, self._account(profile, kind))
        except Exception as exc:  # noqa: BLE001 - any backend failure, said without detail
            raise _unavailable(exc, "read") from None
        secret = secret or ""
        return Credentials(password=secret) if kind == "password" else Credentials(token=secret)

    def save(self, profile: Profile, password: str = "", token: str = "") -> None:
        """Store the secret in the keychain; raises KeychainUnavailable if there is none."""
        kind = self.kind(profile)
        secret = password if kind == "password" else token.strip()  # pasted tokens end in \n
        try:
            self._keyring().set_password(KEYRING_SERVICE, self._account(profile, kind), secret)
        except Exception as exc:  # noqa: BLE001
            raise _unavailable(exc, "store") from None
        self._session.pop(profile.cache_key, None)

    def keep_for_session(self, profile: Profile, password: str = "", token: str = "") -> None:
        """The user's explicit choice when there is no keychain: remember until quit."""
        self._session[profile.cache_key] = Credentials(password=password, token=token.strip())

    def delete(self, profile: Profile) -> None:
        """Forget the profile's secrets (session and keychain); nothing stored is fine."""
        self._session.pop(profile.cache_key, None)
        for kind in ("password", "token"):
            try:
                self._keyring().delete_password(KEYRING_SERVICE, self._account(profile, kind))
            except Exception:  # noqa: BLE001, S110 - nothing stored, or no keychain
                pass


def _unavailable(exc: BaseException, doing: str) -> KeychainUnavailable:
    from keyring.errors import KeyringLocked, NoKeyringError

    if isinstance(exc, NoKeyringError):
        return KeychainUnavailable(NO_KEYCHAIN)
    if isinstance(exc, KeyringLocked):
        return KeychainUnavailable(
            "The system keychain is locked; unlock it and try again, or keep the secret for "
            "this session only."
        )
    # the exception's own text is not shown: some backends echo what they were given
    return KeychainUnavailable(
        f"The system keychain could not {doing} the secret ({type(exc).__name__}). "
        "It can be kept for this session only instead."
    )
