"""Profiles in the config file, secrets only in the keychain."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest

from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import InvalidInput, KeychainUnavailable
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore, SecretStore
from tests.fakes import FailKeyring


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(AppPaths.resolve(tmp_path).ensure())


def test_local_profile_is_always_there(store: ProfileStore) -> None:
    local = store.get("Local")
    assert local is not None and local.source == "local"
    assert local.tracking_uri.startswith("sqlite:///") and "local-registry" in local.tracking_uri


def test_round_trip_and_rename(store: ProfileStore) -> None:
    p = Profile("prod", "https://mlflow.example.com", auth="basic", username="ann")
    store.upsert(p)
    assert store.get("prod") == p
    store.upsert(Profile("production", "https://mlflow.example.com"), old_name="prod")
    assert store.get("prod") is None and store.get("production") is not None
    store.remove("production")
    assert [x.name for x in store.list()] == ["Local"]


@pytest.mark.parametrize("bad, message", [
    (Profile("", "http://x"), "needs a name"),
    (Profile("a", "ftp://x"), "must start with"),
    (Profile("a", "http://"), "no host"),
    (Profile("a", "http://x", auth="basic"), "user name"),
    (Profile("Local", "http://x"), "built-in"),
    (Profile("x" * 256, "http://x"), "255"),
])
def test_validation_messages(store: ProfileStore, bad: Profile, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        store.upsert(bad)


def test_odd_names_are_fine(store: ProfileStore) -> None:
    name = "Prod – ünïcode " + "x" * 200
    store.upsert(Profile(name, "http://127.0.0.1:5000"))
    assert store.get(name) is not None


def test_corrupt_file_is_moved_aside(store: ProfileStore) -> None:
    store.paths.profiles_file.write_text("{not json", encoding="utf-8")
    assert [p.name for p in store.list()] == ["Local"]
    assert "moved" in store.problem
    assert list(store.paths.config_dir.glob("profiles.json.unreadable-*"))


def test_environment_profile(store: ProfileStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "https://env.example.com")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "bob")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "pw")
    env = store.get("Environment")
    assert env is not None and env.auth == "basic" and env.username == "bob"
    assert SecretStore().credentials(env).password == "pw"


def test_secret_goes_to_keychain_not_file(store: ProfileStore, memory_keyring) -> None:
    p = store.upsert(Profile("s", "https://h.example.com", auth="token"))
    secrets = SecretStore()
    secrets.save(p, token="tok-123-secret")
    assert secrets.credentials(p).token == "tok-123-secret"
    assert "tok-123-secret" not in store.paths.profiles_file.read_text(encoding="utf-8")
    assert "tok-123-secret" in memory_keyring.store.values()
    secrets.delete(p)
    assert secrets.credentials(p).token == ""


def test_no_keychain_is_said_plainly_and_session_choice_works(store: ProfileStore) -> None:
    keyring.set_keyring(FailKeyring())
    p = store.upsert(Profile("k", "https://h.example.com", auth="basic", username="u"))
    secrets = SecretStore()
    assert not secrets.keychain_available()
    with pytest.raises(KeychainUnavailable, match="No system keychain"):
        secrets.save(p, password="pw")
    with pytest.raises(KeychainUnavailable):
        secrets.credentials(p)
    secrets.keep_for_session(p, password="pw")
    assert secrets.credentials(p).password == "pw"
    assert "pw" not in store.paths.profiles_file.read_text(encoding="utf-8")
