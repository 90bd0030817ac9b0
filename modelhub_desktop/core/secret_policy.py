"""Which stored secret may go to which server, and what saving or renaming does to it.

The rules, in one place so that every dialog follows them:

- A stored password or token is only ever sent to the server it was saved for: same
  scheme, host and port (tracking and registry server alike), same kind of
  authentication, and for a password the same user name. Editing a profile's address
  to another host therefore never sends the old secret there.
- Saving with a secret typed: the typed secret is kept (see `keep`), and the entry of
  the profile's old name/address is forgotten.
- Saving without a secret typed (a rename, a duplicate, an edit of other fields): the
  stored secret follows when the rules above allow - moved on a rename, copied on a
  duplicate - and is forgotten otherwise (the user is told to enter it again).
- Where a secret is kept is the user's explicit choice: the system keychain; when that
  is missing, this session only or another keyring backend picked by name. Never a
  plain-text file, and never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import KeychainUnavailable, StorageError
from modelhub_desktop.core.secrets import BackendMemory, SecretStore
from modelhub_desktop.core.tracking_uri import same_origin

KEYCHAIN = "keychain"
SESSION_ONLY = "session"
ENTER_AGAIN = (
    "Enter the password or token again: a stored secret is only sent to the server it was "
    "saved for."
)


@dataclass(frozen=True)
class StorageOption:
    """One answer to "where should this secret be kept?"."""

    choice: str  # KEYCHAIN, SESSION_ONLY or the id of a keyring backend
    label: str
    detail: str = ""


@dataclass(frozen=True)
class SaveOutcome:
    """What `after_save` did; `keep_typed` asks the caller to keep the typed secret."""

    keep_typed: bool
    note: str = ""


def may_send(stored_for: Profile, target: Profile) -> bool:
    """True if a secret stored for `stored_for` may be sent to `target`'s server(s)."""
    if stored_for.auth == "none" or stored_for.auth != target.auth:
        return False
    if stored_for.auth == "basic" and stored_for.username.strip() != target.username.strip():
        return False
    return same_origin(stored_for.tracking_uri, target.tracking_uri) and same_origin(
        stored_for.registry_uri or stored_for.tracking_uri,
        target.registry_uri or target.tracking_uri,
    )


def stored_credentials(
    secrets: SecretStore, target: Profile, candidates: Iterable[Profile | None]
) -> Credentials:
    """The first stored secret among `candidates` that may be sent to `target`."""
    for candidate in candidates:
        if candidate is None or not may_send(candidate, target):
            continue
        try:
            creds = secrets.credentials(candidate)
        except KeychainUnavailable:
            continue
        if creds.password or creds.token:
            return creds
    return Credentials()


def credentials_for(
    secrets: SecretStore,
    target: Profile,
    typed: Credentials,
    candidates: Iterable[Profile | None] = (),
) -> Credentials:
    """What to send to `target`: the typed secret, else a stored one the rules allow.

    `candidates` are the profiles the form was loaded from (the one being edited, the
    one duplicated). Reads the keychain: call it on a worker thread.
    """
    if typed.password or typed.token or target.auth == "none":
        return typed
    if target.source == "environment":
        return secrets.credentials(target)
    found = stored_credentials(secrets, target, [target, *candidates])
    return found if found.password or found.token else typed


def carry_over(secrets: SecretStore, old: Profile, new: Profile, keep_old: bool = False) -> bool:
    """Move (or copy, with `keep_old`) `old`'s stored secret to `new` where `may_send` allows.

    Returns True if `new` has the secret afterwards. A secret that may not follow is
    forgotten along with `old` (unless `keep_old`).
    """
    allowed = may_send(old, new)
    if old.cache_key == new.cache_key:
        if not allowed and not keep_old:
            secrets.delete(old)
        return allowed
    carried = False
    if allowed:
        try:
            creds = secrets.credentials(old)
        except KeychainUnavailable:
            creds = Credentials()
        if creds.password or creds.token:
            kwargs = _secret_kwargs(new, creds)
            if secrets.has_session_secret(old):
                secrets.keep_for_session(new, **kwargs)
                carried = True
            else:
                try:
                    secrets.save(new, **kwargs)
                    carried = True
                except KeychainUnavailable:
                    carried = False
    if not keep_old:
        secrets.delete(old)
    return carried


def after_save(
    secrets: SecretStore,
    saved: Profile,
    typed: Credentials,
    *,
    editing: Profile | None = None,
    copied_from: Profile | None = None,
) -> SaveOutcome:
    """Apply the save / rename / duplicate rules to the stored secrets.

    `editing` is the saved profile the form was showing (a rename or edit), `copied_from`
    the profile a new one was duplicated from.
    """
    if saved.auth == "none":
        if editing is not None:
            secrets.delete(editing)
        return SaveOutcome(keep_typed=False)
    if typed.password or typed.token:
        if editing is not None and editing.cache_key != saved.cache_key:
            secrets.delete(editing)
        return SaveOutcome(keep_typed=True)
    source = editing or copied_from
    if source is None:
        return SaveOutcome(keep_typed=False)
    if source.cache_key == saved.cache_key and may_send(source, saved):
        return SaveOutcome(keep_typed=False)
    carried = carry_over(
        secrets, source, saved, keep_old=editing is None or source.source != "config"
    )
    note = "" if carried or source.auth == "none" else ENTER_AGAIN
    return SaveOutcome(keep_typed=False, note=note)


def fallback_options(secrets: SecretStore) -> list[StorageOption]:
    """What to offer when the system keychain cannot keep a secret: this session only,
    or another installed keyring backend, named (plain-text ones are never offered)."""
    options = [
        StorageOption(
            SESSION_ONLY,
            "Keep for this session only",
            "Asked again after a restart; nothing is written to disk.",
        )
    ]
    for ident, description in secrets.alternatives():
        options.append(StorageOption(ident, f"Store in {description}", f"Keyring backend {ident}"))
    return options


def keep(
    secrets: SecretStore,
    profile: Profile,
    creds: Credentials,
    choice: str,
    memory: BackendMemory | None = None,
) -> None:
    """Keep `creds` where the user chose. Raises KeychainUnavailable; never falls back.

    A keyring backend chosen by name is used from now on and remembered in `memory` (the
    profiles file) so that the next launch uses the same one.
    """
    kwargs = _secret_kwargs(profile, creds)
    if choice == SESSION_ONLY:
        secrets.keep_for_session(profile, **kwargs)
        return
    if choice != KEYCHAIN:
        secrets.use_backend(choice, remember=False)
    secrets.save(profile, **kwargs)
    if choice != KEYCHAIN:
        try:
            if memory is not None:
                memory.set_secret_backend(choice)
            else:
                secrets.remember_backend(choice)
        except StorageError:
            pass  # still used for this session


def _secret_kwargs(profile: Profile, creds: Credentials) -> dict[str, str]:
    if profile.auth == "basic":
        return {"password": creds.password}
    return {"token": creds.token}
