"""Which secret may go to which server; save, rename, duplicate; where a secret is kept.

Plain pytest, no Qt: the keychain is the in-memory backend from conftest, or the
headless `fail` backend.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import keyring
import pytest

from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import KeychainUnavailable
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore
from modelhub_desktop.core.secret_policy import (
    ENTER_AGAIN,
    KEYCHAIN,
    SESSION_ONLY,
    after_save,
    credentials_for,
    fallback_options,
    keep,
    may_send,
)
from modelhub_desktop.core.secrets import SecretStore
from tests.fakes import FailKeyring, MemoryKeyring

SECRET = "pw-Policy-Secret-5521"


def basic(name: str, uri: str = "https://h.example.com", user: str = "ann") -> Profile:
    return Profile(name, uri, auth="basic", username=user)


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(AppPaths.resolve(tmp_path / "d").ensure())


@pytest.mark.parametrize(
    "target, allowed",
    [
        (basic("b", "https://h.example.com/other/path"), True),  # same server, other path
        (basic("b", "https://H.EXAMPLE.com"), True),  # host names ignore case
        (basic("b", "https://h.example.com:8443"), False),
        (basic("b", "http://h.example.com"), False),  # https -> http: never
        (basic("b", "https://evil.example.com"), False),
        (basic("b", user="bob"), False),  # a password goes with its user
        (Profile("b", "https://h.example.com", auth="token"), False),
        (Profile("b", "https://h.example.com"), False),
        (replace(basic("b"), registry_uri="https://registry.example.com"), False),
    ],
)
def test_may_send(target: Profile, allowed: bool) -> None:
    assert may_send(basic("a"), target) is allowed


def test_credentials_for_a_test_never_reach_a_changed_host(memory_keyring: MemoryKeyring) -> None:
    secrets = SecretStore()
    saved = basic("a")
    secrets.save(saved, password=SECRET)
    edited_host = basic("a", "https://elsewhere.example.com")
    assert credentials_for(secrets, edited_host, Credentials(), [saved]) == Credentials()
    edited_path = basic("a", "https://h.example.com/mlflow")
    assert credentials_for(secrets, edited_path, Credentials(), [saved]).password == SECRET
    typed = Credentials(password="typed")
    assert credentials_for(secrets, edited_host, typed, [saved]) is typed


def test_save_with_a_typed_secret_forgets_the_old_entry(memory_keyring: MemoryKeyring) -> None:
    secrets = SecretStore()
    old = basic("a")
    secrets.save(old, password="old-secret")
    new = basic("b")
    outcome = after_save(secrets, new, Credentials(password=SECRET), editing=old)
    assert outcome.keep_typed and outcome.note == ""
    assert secrets.credentials(old).password == ""  # the caller keeps the typed one
    keep(secrets, new, Credentials(password=SECRET), KEYCHAIN)
    assert list(memory_keyring.store.values()) == [SECRET]


def test_rename_moves_duplicate_copies_other_host_drops(memory_keyring: MemoryKeyring) -> None:
    secrets = SecretStore()
    a = basic("a")
    secrets.save(a, password=SECRET)
    b = basic("b")
    assert after_save(secrets, b, Credentials(), editing=a).note == ""
    assert secrets.credentials(b).password == SECRET and secrets.credentials(a).password == ""
    copy = basic("b copy")
    assert after_save(secrets, copy, Credentials(), copied_from=b).note == ""
    assert secrets.credentials(copy).password == SECRET == secrets.credentials(b).password
    moved = basic("b copy", "https://other.example.com")
    outcome = after_save(secrets, moved, Credentials(), editing=copy)
    assert outcome.note == ENTER_AGAIN and not outcome.keep_typed
    assert secrets.credentials(moved).password == ""
    assert sorted(memory_keyring.store.values()) == [SECRET]  # only b keeps one


def test_a_changed_user_name_drops_the_password(memory_keyring: MemoryKeyring) -> None:
    secrets = SecretStore()
    a = basic("a")
    secrets.save(a, password=SECRET)
    outcome = after_save(secrets, basic("a", user="bob"), Credentials(), editing=a)
    assert outcome.note == ENTER_AGAIN and memory_keyring.store == {}


def test_switching_auth_off_forgets_the_secret(memory_keyring: MemoryKeyring) -> None:
    secrets = SecretStore()
    a = basic("a")
    secrets.save(a, password=SECRET)
    after_save(secrets, Profile("a", a.tracking_uri), Credentials(), editing=a)
    assert memory_keyring.store == {}


def test_saving_the_environment_connection_copies_its_secret(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", SECRET)
    env = Profile("Environment", "https://h.example.com", auth="basic", username="ann",
                  source="environment")
    saved = basic("from env")
    assert after_save(SecretStore(), saved, Credentials(), copied_from=env).note == ""
    assert list(memory_keyring.store.values()) == [SECRET]


def test_no_keychain_never_falls_back_silently(store: ProfileStore) -> None:
    keyring.set_keyring(FailKeyring())
    secrets = SecretStore(store)
    p = basic("a")
    with pytest.raises(KeychainUnavailable, match="No system keychain"):
        keep(secrets, p, Credentials(password=SECRET), KEYCHAIN)
    assert not secrets.has_session_secret(p)
    assert [o.choice for o in fallback_options(secrets)][0] == SESSION_ONLY
    keep(secrets, p, Credentials(password=SECRET), SESSION_ONLY)
    assert secrets.credentials(p).password == SECRET
    assert not store.paths.profiles_file.exists()  # nothing written anywhere


def test_a_backend_chosen_by_name_is_used_and_remembered(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring.set_keyring(FailKeyring())
    secrets = SecretStore(store)
    monkeypatch.setattr(
        SecretStore, "alternatives", lambda self: [("tests.fakes.MemoryKeyring", "Test keychain")]
    )
    options = fallback_options(secrets)
    assert [o.label for o in options] == ["Keep for this session only", "Store in Test keychain"]
    keep(secrets, basic("a"), Credentials(password=SECRET), options[1].choice)
    assert store.secret_backend() == "tests.fakes.MemoryKeyring"
    assert secrets.credentials(basic("a")).password == SECRET
    with pytest.raises(KeychainUnavailable, match="Plain-text"):
        keep(secrets, basic("a"), Credentials(password=SECRET), "keyrings.alt.PlaintextKeyring")
