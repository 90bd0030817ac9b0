"""Which connection opens at start-up, and the words for a model that is not there.

The environment is passed in as a mapping: no test reads or changes the real one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import InvalidInput, NotFound
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore, label
from modelhub_desktop.core.start_profile import (
    BUILT_IN,
    FROM_DEMO,
    FROM_ENVIRONMENT,
    FROM_PROFILE,
    FROM_TRACKING_URI,
    LAST_USED,
    StartChoice,
    choose_start_profile,
    describe_missing_model,
)

ENV = {
    "MLFLOW_TRACKING_URI": "http://mlflow.example.com:5000",
    "MLFLOW_TRACKING_USERNAME": "reader",
    "MLFLOW_TRACKING_PASSWORD": "pw-never-shown",
    "MLFLOW_TRACKING_SERVER_CERT_PATH": "/etc/ssl/corp-ca.pem",
}


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    s = ProfileStore(AppPaths.resolve(tmp_path / "d").ensure(), environ={})
    s.upsert(Profile("prod", "https://prod.example.com"))
    return s


def choose(
    store: ProfileStore,
    environ: dict[str, str] | None = None,
    profile: str | None = None,
    uri: str | None = None,
    demo: bool = False,
) -> StartChoice:
    return choose_start_profile(
        store, profile_name=profile, tracking_uri=uri, environ=environ or {}, demo=demo
    )


def test_nothing_set_opens_the_built_in_local(store: ProfileStore) -> None:
    choice = choose(store)
    assert choice.profile == store.local_profile() and choice.origin == BUILT_IN


def test_the_environment_wins_over_the_last_used(store: ProfileStore) -> None:
    store.set_last_used("prod")
    choice = choose(store, ENV)
    assert choice.origin == FROM_ENVIRONMENT == "from MLFLOW_TRACKING_URI"
    p = choice.profile
    assert (p.name, p.source, p.tracking_uri) == (
        "Environment", "environment", ENV["MLFLOW_TRACKING_URI"])
    assert (p.auth, p.username, p.ca_bundle) == ("basic", "reader", "/etc/ssl/corp-ca.pem")
    assert "pw-never-shown" not in repr(p)


def test_registry_uri_comes_along_when_it_differs(store: ProfileStore) -> None:
    env = {**ENV, "MLFLOW_REGISTRY_URI": "http://registry.example.com"}
    assert choose(store, env).profile.registry_uri == "http://registry.example.com"


def test_an_unusable_environment_uri_says_the_fix(store: ProfileStore) -> None:
    with pytest.raises(InvalidInput, match="MLFLOW_TRACKING_URI.*--profile Local"):
        choose(store, {"MLFLOW_TRACKING_URI": "databricks"})
    assert choose(store, {"MLFLOW_TRACKING_URI": "databricks"}, profile="Local").origin == (
        FROM_PROFILE)


def test_the_last_used_connection_reopens(store: ProfileStore) -> None:
    store.set_last_used("prod")
    choice = choose(store)
    assert choice.profile == store.get("prod") and choice.origin == LAST_USED
    store.remove("prod")
    assert choose(store).origin == BUILT_IN  # gone: Local, no error


def test_a_tracking_uri_connection_reopens_without_flags(store: ProfileStore) -> None:
    first = choose(store, uri="http://10.0.0.7:5000")
    assert first.origin == FROM_TRACKING_URI and first.profile.source == "command-line"
    store.set_last_used(first.profile)
    again = choose(ProfileStore(store.paths, environ={}))
    assert again.profile == first.profile and again.origin == LAST_USED


def test_flags_win_over_the_environment(store: ProfileStore) -> None:
    assert choose(store, ENV, profile="Local").profile == store.local_profile()
    assert choose(store, ENV, profile="prod").profile.name == "prod"
    choice = choose(store, ENV, uri="http://other.example.com")
    assert choice.profile.tracking_uri == "http://other.example.com"


def test_names_shown_are_names_accepted(store: ProfileStore) -> None:
    for p in store.list(ENV):
        choice = choose(store, ENV, profile=label(p))
        assert choice.profile == p and choice.origin == FROM_PROFILE
    assert choose(store, ENV, profile="Local (built-in)").profile == store.local_profile()
    assert choose(store, ENV, profile="environment").profile.source == "environment"


def test_an_unknown_profile_lists_the_names_accepted(store: ProfileStore) -> None:
    with pytest.raises(NotFound) as info:
        choose(store, ENV, profile="staging")
    assert str(info.value) == "No profile named 'staging'. Profiles: Local, Environment, prod."
    with pytest.raises(NotFound, match="only while MLFLOW_TRACKING_URI is set"):
        choose(store, {}, profile="Environment")


def test_demo_opens_local_unless_a_flag_says_otherwise(store: ProfileStore) -> None:
    store.set_last_used("prod")
    choice = choose(store, ENV, demo=True)
    assert choice.profile == store.local_profile() and choice.origin == FROM_DEMO
    assert choose(store, ENV, profile="prod", demo=True).profile.name == "prod"


def test_profile_and_tracking_uri_together_are_refused(store: ProfileStore) -> None:
    with pytest.raises(InvalidInput, match="either --profile or --tracking-uri"):
        choose(store, profile="prod", uri="http://x.example.com")


def test_missing_model_names_the_connection_and_the_fix(store: ProfileStore) -> None:
    local = store.local_profile()
    text = describe_missing_model("churn", local, ENV)
    assert text == (
        "No model 'churn' on Local (built-in) — the Environment profile points to "
        "http://mlflow.example.com:5000; start with --profile Environment."
    )
    alone = describe_missing_model("churn", local, {})
    assert alone.startswith("No model 'churn' on Local (built-in) — ") and "--profile" in alone
    env = store.environment_profile(ENV)
    assert env is not None
    on_env = describe_missing_model("churn", env, ENV)
    assert on_env.startswith(
        "No model 'churn' on Environment (from environment) (http://mlflow.example.com:5000)."
    )
    assert "case-sensitive" in on_env and "--profile Environment" not in on_env
