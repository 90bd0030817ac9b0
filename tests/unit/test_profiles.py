"""Profiles in the config file, secrets only in the keychain (no Qt, no server)."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import InvalidInput, KeychainUnavailable
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore, label
from modelhub_desktop.core.secret_policy import carry_over
from modelhub_desktop.core.secrets import KEYRING_SERVICE, SecretStore, describe_backend
from tests.fakes import FailKeyring, MemoryKeyring

SECRET = "pw-Unit-Secret-8841"


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(AppPaths.resolve(tmp_path / "d").ensure())


def file_text(store: ProfileStore) -> str:
    path = store.paths.profiles_file
    return path.read_text(encoding="utf-8") if path.exists() else ""


# -- the store ---------------------------------------------------------------------------------
def test_local_profile_is_always_there(store: ProfileStore) -> None:
    local = store.get("Local")
    assert local is not None and local.source == "local"
    db = store.paths.local_store_dir / "mlflow.db"
    assert local.tracking_uri == f"sqlite:///{db}"
    assert [p.name for p in store.list()] == ["Local"]
    assert not store.paths.profiles_file.exists()  # listing writes nothing


def test_round_trip_rename_and_remove(store: ProfileStore) -> None:
    p = Profile(
        "prod",
        "https://mlflow.example.com",
        auth="basic",
        username="ann",
        ca_bundle="/etc/ssl/ca.pem",
        ui_url="https://ui.example.com",
        s3_endpoint_url="http://minio.example.com:9000",
    )
    store.upsert(p)
    raw = json.loads(file_text(store))["profiles"][0]
    assert raw["s3_endpoint_url"] == "http://minio.example.com:9000" and "source" not in raw
    assert ProfileStore(store.paths).get("prod") == p  # a fresh store reads the same
    store.set_last_used("prod")
    store.upsert(Profile("production", "https://mlflow.example.com"), old_name="prod")
    assert store.get("prod") is None and store.get("production") is not None
    assert store.last_used() == "production"  # the rename follows
    store.remove("production")
    assert [x.name for x in store.list()] == ["Local"]
    assert store.last_used() == ""


def test_upsert_replaces_in_place_and_rename_cannot_clobber(store: ProfileStore) -> None:
    store.upsert(Profile("a", "http://a.example.com"))
    store.upsert(Profile("b", "http://b.example.com"))
    store.upsert(Profile("a", "http://a2.example.com"))
    assert [p.name for p in store.saved()] == ["b", "a"]
    assert store.get("a").tracking_uri == "http://a2.example.com"  # type: ignore[union-attr]
    with pytest.raises(InvalidInput, match="already exists"):
        store.upsert(Profile("b", "http://x.example.com"), old_name="a")
    assert store.get("b").tracking_uri == "http://b.example.com"  # type: ignore[union-attr]


def test_write_is_atomic_and_leaves_no_temp_files(store: ProfileStore) -> None:
    for i in range(5):
        store.upsert(Profile(f"p{i}", f"http://h{i}.example.com"))
    data = json.loads(file_text(store))
    assert [p["name"] for p in data["profiles"]] == [f"p{i}" for i in range(5)]
    assert [f.name for f in store.paths.config_dir.iterdir()] == ["profiles.json"]


def test_builtins_cannot_be_removed_or_shadowed(store: ProfileStore) -> None:
    for name in ("Local", "Environment"):
        with pytest.raises(InvalidInput, match="built-in"):
            store.remove(name)
    with pytest.raises(InvalidInput, match="built-in"):
        store.upsert(Profile("local", "http://x.example.com"))


@pytest.mark.parametrize(
    "bad, message",
    [
        (Profile("", "http://x"), "needs a name"),
        (Profile("a\nb", "http://x"), "line breaks"),
        (Profile("x" * 256, "http://x"), "255"),
        (Profile("a", ""), "Enter a tracking URI"),
        (Profile("a", "ftp://x"), "must start with"),
        (Profile("a", "mlflow.example.com"), "must start with"),
        (Profile("a", "http://"), "no host"),
        (Profile("a", "http:/x"), "http://"),
        (Profile("a", "http://x:99999"), "port"),
        (Profile("a", "http://x y"), "spaces"),
        (Profile("a", "sqlite://"), "database file"),
        (Profile("a", "sqlite:///"), "database file"),
        (Profile("a", "file:"), "folder"),
        (Profile("a", "http://x", auth="basic"), "user name"),
        (Profile("a", "http://x", auth="kerberos"), "Authentication"),  # type: ignore[arg-type]
        (Profile("a", "https://x", ca_bundle="/ca.pem", insecure_tls=True), "not both"),
        (Profile("a", "https://x", ui_url="ui.example.com"), "UI address"),
        (Profile("a", "https://x", s3_endpoint_url="minio:9000"), "S3 endpoint URL"),
        (Profile("a", "https://x", s3_endpoint_url="s3://bucket"), "S3 endpoint URL"),
        (Profile("a", "https://x", s3_endpoint_url="http://u:p@minio"), "not in the address"),
        (Profile("Local", "http://x"), "built-in"),
    ],
)
def test_validation_messages(store: ProfileStore, bad: Profile, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        store.upsert(bad)
    assert store.saved() == []


def test_credentials_in_the_address_are_refused_without_echoing_them(
    store: ProfileStore,
) -> None:
    for uri in (f"https://ann:{SECRET}@h.example.com", f"https://{SECRET}@h.example.com"):
        with pytest.raises(InvalidInput, match="not in the address") as info:
            store.upsert(Profile("a", uri))
        assert SECRET not in str(info.value)
    with pytest.raises(InvalidInput) as info:
        store.upsert(Profile("a", f"ftp://ann:{SECRET}@h.example.com"))
    assert SECRET not in str(info.value)
    assert SECRET not in file_text(store)


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:5000",
        "https://mlflow.example.com/sub/path/",
        "HTTPS://mlflow.example.com",
        "http://[::1]:5000",
        "sqlite:////tmp/x/mlflow.db",
        "sqlite:///relative.db",
        "file:///tmp/mlruns",
        "file:/tmp/mlruns",
        "sqlite:////Users/Ann Smith/Library/Application Support/modelhub/mlflow.db",
    ],
)
def test_valid_uris(store: ProfileStore, uri: str) -> None:
    assert store.upsert(Profile("ok", uri)).tracking_uri == uri


def test_odd_names_are_fine(store: ProfileStore) -> None:
    name = 'Prod – ünïcode / "quoted" ' + "x" * 200
    store.upsert(Profile(name, "http://127.0.0.1:5000"))
    assert store.get(name) is not None
    assert name in json.loads(file_text(store))["profiles"][0]["name"]


def test_for_tracking_uri(store: ProfileStore) -> None:
    p = store.for_tracking_uri(" https://mlflow.example.com:8443/ ")
    assert p.source == "command-line" and p.name == "mlflow.example.com:8443"
    assert p.tracking_uri == "https://mlflow.example.com:8443/"
    assert store.for_tracking_uri("sqlite:////tmp/a/mlflow.db").name == "tmp/a/mlflow.db"
    with pytest.raises(InvalidInput):
        store.for_tracking_uri("nonsense")
    with pytest.raises(InvalidInput) as info:
        store.for_tracking_uri(f"http://u:{SECRET}@h")
    assert SECRET not in str(info.value)
    assert not store.paths.profiles_file.exists()  # not saved


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"profiles": 3}', "\x00\x01binary"])
def test_corrupt_file_is_moved_aside(store: ProfileStore, content: str) -> None:
    store.paths.profiles_file.write_text(content, encoding="utf-8")
    assert [p.name for p in store.list()] == ["Local"]
    assert "moved to" in store.problem and "unreadable" in store.problem
    aside = list(store.paths.config_dir.glob("profiles.json.unreadable-*"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == content
    store.upsert(Profile("fresh", "http://h.example.com"))  # and life goes on
    assert [p.name for p in ProfileStore(store.paths).saved()] == ["fresh"]


def test_entries_that_make_no_sense_are_skipped(store: ProfileStore) -> None:
    store.paths.profiles_file.write_text(
        json.dumps(
            {
                "profiles": [
                    "junk",
                    {"name": "no-uri"},
                    {"name": "ok", "tracking_uri": "http://h", "future_field": 1},
                    {"name": "weird", "tracking_uri": "http://h", "auth": "kerberos"},
                    {"name": "src", "tracking_uri": "http://h", "source": "local"},
                ]
            }
        ),
        encoding="utf-8",
    )
    saved = store.saved()
    assert [p.name for p in saved] == ["ok", "src"]
    assert all(p.source == "config" for p in saved)
    assert store.problem == ""


def test_environment_profile(store: ProfileStore, monkeypatch: pytest.MonkeyPatch) -> None:
    assert store.get("Environment") is None
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "https://env.example.com")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "bob")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", SECRET)
    monkeypatch.setenv("MLFLOW_TRACKING_SERVER_CERT_PATH", "/etc/ca.pem")
    env = store.get("Environment")
    assert env is not None and env.source == "environment"
    assert (env.auth, env.username, env.ca_bundle, env.insecure_tls) == (
        "basic",
        "bob",
        "/etc/ca.pem",
        False,
    )
    assert [p.name for p in store.list()] == ["Local", "Environment"]
    assert SecretStore().credentials(env).password == SECRET
    store.upsert(Profile("other", "http://h.example.com"))
    assert SECRET not in file_text(store) and "Environment" not in file_text(store)


def test_environment_profile_token_and_insecure(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "https://env.example.com")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "tok-env")
    monkeypatch.setenv("MLFLOW_TRACKING_INSECURE_TLS", "true")
    env = store.get("Environment")
    assert env is not None and env.auth == "token" and env.insecure_tls
    assert SecretStore().credentials(env).token == "tok-env"
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "only-user")  # no password: not basic
    assert store.get("Environment").auth == "token"  # type: ignore[union-attr]


# -- secrets -----------------------------------------------------------------------------------
def test_secret_goes_to_keychain_not_file(store: ProfileStore, memory_keyring) -> None:
    p = store.upsert(Profile("s", "https://h.example.com", auth="token"))
    secrets = SecretStore()
    assert secrets.keychain_available()
    secrets.save(p, token=f" {SECRET}\n")  # as pasted
    assert secrets.credentials(p).token == SECRET
    assert SECRET not in file_text(store)
    assert list(memory_keyring.store.values()) == [SECRET]
    assert all(service == KEYRING_SERVICE for service, _ in memory_keyring.store)
    assert SECRET not in repr(secrets.credentials(p))
    secrets.delete(p)
    assert secrets.credentials(p).token == ""
    assert memory_keyring.store == {}


def test_profile_without_auth_never_touches_the_keychain(store: ProfileStore) -> None:
    keyring.set_keyring(FailKeyring())
    p = store.upsert(Profile("open", "http://h.example.com"))
    assert SecretStore().credentials(p) == Credentials()


def test_no_keychain_is_said_plainly_and_session_choice_works(store: ProfileStore) -> None:
    keyring.set_keyring(FailKeyring())
    p = store.upsert(Profile("k", "https://h.example.com", auth="basic", username="u"))
    secrets = SecretStore()
    assert not secrets.keychain_available()
    assert secrets.backend_description() == "fakes FailKeyring"
    from keyring.backends import fail

    assert describe_backend(fail.Keyring()) == "none (no keychain found)"
    with pytest.raises(KeychainUnavailable, match="No system keychain") as info:
        secrets.save(p, password=SECRET)
    assert SECRET not in str(info.value)
    assert "session only" in str(info.value) and "Environment profile" in str(info.value)
    with pytest.raises(KeychainUnavailable):
        secrets.credentials(p)
    secrets.keep_for_session(p, password=SECRET)
    assert secrets.credentials(p).password == SECRET
    with pytest.raises(KeychainUnavailable):
        SecretStore().credentials(p)  # the next launch asks again
    # the session secret belongs to this name AND address: an edited URI does not get it
    moved = Profile("k", "https://elsewhere.example.com", auth="basic", username="u")
    with pytest.raises(KeychainUnavailable):
        secrets.credentials(moved)
    assert SECRET not in file_text(store)
    assert [f.name for f in store.paths.config_dir.iterdir()] == ["profiles.json"]
    secrets.delete(p)  # no keychain: still no error
    with pytest.raises(KeychainUnavailable):
        secrets.credentials(p)


class LeakyKeyring(KeyringBackend):
    """A backend whose errors repeat what it was given (some do)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError(f"cannot read {username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError(f"cannot store {password!r}")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("nope")


def test_keychain_errors_never_repeat_the_secret(store: ProfileStore) -> None:
    keyring.set_keyring(LeakyKeyring())
    p = store.upsert(Profile("leaky", "https://h.example.com", auth="token"))
    with pytest.raises(KeychainUnavailable) as info:
        SecretStore().save(p, token=SECRET)
    assert SECRET not in str(info.value) and "KeyringError" in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_rename_carries_the_secret_within_the_same_server(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    secrets = SecretStore()
    old = store.upsert(Profile("a", "https://h.example.com/x", auth="basic", username="u"))
    secrets.save(old, password=SECRET)
    new = store.upsert(
        Profile("b", "https://h.example.com/y", auth="basic", username="u"), old_name="a"
    )
    assert carry_over(secrets, old, new)
    assert secrets.credentials(new).password == SECRET
    assert secrets.credentials(old).password == ""  # moved, not copied
    copy = Profile("c", "https://h.example.com/y", auth="basic", username="u")
    assert carry_over(secrets, new, copy, keep_old=True)
    assert secrets.credentials(new).password == SECRET == secrets.credentials(copy).password
    # another server never receives a stored secret
    other = Profile("d", "https://evil.example.com", auth="basic", username="u")
    assert not carry_over(secrets, copy, other)
    assert secrets.credentials(other).password == ""
    assert secrets.credentials(copy).password == ""  # the old one is forgotten
    assert list(memory_keyring.store.values()) == [SECRET]  # only "b"'s


def test_an_alternative_backend_is_used_only_when_picked_by_name(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring.backend

    keyring.set_keyring(FailKeyring())

    class PlaintextKeyring(MemoryKeyring):
        pass

    offered = [MemoryKeyring(), PlaintextKeyring(), FailKeyring()]
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: offered)
    secrets = SecretStore(store)
    assert [ident for ident, _ in secrets.alternatives()] == ["tests.fakes.MemoryKeyring"]
    p = store.upsert(Profile("alt", "https://h.example.com", auth="token"))
    with pytest.raises(KeychainUnavailable):
        secrets.save(p, token=SECRET)  # nothing happens silently
    secrets.use_backend("tests.fakes.MemoryKeyring")
    secrets.save(p, token=SECRET)
    assert secrets.credentials(p).token == SECRET
    assert store.secret_backend() == "tests.fakes.MemoryKeyring"
    assert SECRET not in file_text(store)
    # the next launch uses the same explicit choice (a new, empty in-memory backend here)
    again = SecretStore(store)
    assert again.backend_id() == "tests.fakes.MemoryKeyring" and again.problem == ""
    with pytest.raises(KeychainUnavailable, match="Plain-text"):
        secrets.use_backend("keyrings.alt.file.PlaintextKeyring")
    store.set_secret_backend("not.installed.Backend")
    broken = SecretStore(store)
    assert "could not be loaded" in broken.problem
    assert broken.backend_id() == "tests.fakes.FailKeyring"


# -- names shown are names accepted; the last connection ----------------------------------------
def test_listed_labels_are_accepted_back(store: ProfileStore) -> None:
    environ = {"MLFLOW_TRACKING_URI": "https://env.example.com"}
    store.upsert(Profile("Prod EU", "https://eu.example.com"))
    for p in store.list(environ):
        assert store.find(label(p), environ) == p
        assert store.find(p.name, environ) == p
        assert store.find(p.name.upper(), environ) == p  # case does not matter
    assert label(store.local_profile()) == "Local (built-in)"
    assert store.find("local (BUILT-IN)") == store.local_profile()
    assert store.find("Environment") is None  # not set in this store's environment
    assert store.find("nope", environ) is None


def test_a_tracking_uri_connection_is_remembered(store: ProfileStore) -> None:
    opened = store.for_tracking_uri("http://127.0.0.1:5999")
    store.set_last_used(opened)
    assert ProfileStore(store.paths).last_connection() == opened
    store.set_last_used(store.local_profile())
    assert store.last_connection() == store.local_profile()
    assert "last_uri" not in json.loads(file_text(store))
    store.set_last_used("gone")  # a profile removed since
    assert store.last_connection() is None


def test_environment_profile_from_a_mapping(store: ProfileStore) -> None:
    environ = {
        "MLFLOW_TRACKING_URI": "http://tracking.example.com",
        "MLFLOW_REGISTRY_URI": "http://registry.example.com",
        "MLFLOW_S3_ENDPOINT_URL": "http://minio.example.com:9000",
    }
    env = store.environment_profile(environ)
    assert env is not None and env.registry_uri == "http://registry.example.com"
    assert env.s3_endpoint_url == "http://minio.example.com:9000" and env.auth == "none"
    same = store.environment_profile({**environ, "MLFLOW_REGISTRY_URI": environ[
        "MLFLOW_TRACKING_URI"] + "/"})
    assert same is not None and same.registry_uri == ""  # only when it differs
    plain = store.environment_profile({"MLFLOW_TRACKING_URI": "/srv/mlruns"})
    assert plain is not None and plain.tracking_uri == "file:///srv/mlruns"
    assert store.environment_profile({}) is None
