"""Which connection opens at start-up, and why - said so nobody wonders.

Order (MLflow's own conventions first, as every MLflow client and the `mlflow` CLI do):
`--profile` / `--tracking-uri`; else `MLFLOW_TRACKING_URI` (the Environment profile);
else the connection used last (one opened with `--tracking-uri` included); else the
built-in Local registry. `--demo` opens Local (the demo data lives there) unless
`--profile` / `--tracking-uri` say otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import InvalidInput, NotFound
from modelhub_desktop.core.profiles import ENV_NAME, LOCAL_NAME, ProfileStore, label
from modelhub_desktop.core.tracking_uri import shown_uri, validate_tracking_uri

FROM_PROFILE = "from --profile"
FROM_TRACKING_URI = "from --tracking-uri"
FROM_ENVIRONMENT = "from MLFLOW_TRACKING_URI"
FROM_DEMO = "from --demo"
LAST_USED = "last used"
BUILT_IN = "built-in"


@dataclass(frozen=True)
class StartChoice:
    """The connection to open and where the choice came from (for the status bar)."""

    profile: Profile
    origin: str


def choose_start_profile(
    store: ProfileStore,
    *,
    profile_name: str | None,
    tracking_uri: str | None,
    environ: Mapping[str, str],
    demo: bool,
) -> StartChoice:
    """The connection to open. Raises InvalidInput / NotFound with the fix in words."""
    if profile_name and tracking_uri:
        raise InvalidInput("Give either --profile or --tracking-uri, not both.")
    if tracking_uri:
        return StartChoice(store.for_tracking_uri(tracking_uri), FROM_TRACKING_URI)
    if profile_name:
        found = store.find(profile_name, environ)
        if found is None:
            raise NotFound(_unknown_profile(store, profile_name, environ))
        return StartChoice(found, FROM_PROFILE)
    if demo:
        return StartChoice(store.local_profile(), FROM_DEMO)
    env = store.environment_profile(environ)
    if env is not None:
        try:
            validate_tracking_uri(env.tracking_uri)
        except InvalidInput as exc:
            raise InvalidInput(
                f"MLFLOW_TRACKING_URI is set, but ModelHub Desktop cannot open it: {exc} "
                f"Start with --profile {LOCAL_NAME} (or another profile), or unset the variable."
            ) from None
        return StartChoice(env, FROM_ENVIRONMENT)
    last = store.last_connection(environ)
    if last is not None:
        return StartChoice(last, LAST_USED)
    return StartChoice(store.local_profile(), BUILT_IN)


def _unknown_profile(store: ProfileStore, name: str, environ: Mapping[str, str]) -> str:
    names = ", ".join(p.name for p in store.list(environ))
    hint = ""
    if name.strip().casefold() == ENV_NAME.casefold():
        hint = " The Environment profile exists only while MLFLOW_TRACKING_URI is set."
    return f"No profile named {name!r}. Profiles: {names}.{hint}"


def describe_missing_model(name: str, profile: Profile, environ: Mapping[str, str]) -> str:
    """Why `--model NAME` found nothing: which connection was searched and the right fix."""
    where = label(profile)
    if profile.source != "local":
        where += f" ({shown_uri(profile.tracking_uri)})"
    text = f"No model {name!r} on {where}"
    env_uri = environ.get("MLFLOW_TRACKING_URI", "").strip()
    if (
        env_uri
        and profile.source != "environment"
        and env_uri.rstrip("/") != profile.tracking_uri.strip().rstrip("/")
    ):
        return (
            f"{text} — the Environment profile points to {shown_uri(env_uri)}; "
            f"start with --profile {ENV_NAME}."
        )
    if profile.source == "local":
        return (
            f"{text} — the built-in registry holds only models registered in it (and the "
            "demo models with --demo). To search a server, start with --profile NAME or "
            "--tracking-uri URI, or set MLFLOW_TRACKING_URI."
        )
    return (
        f"{text}. Model names are case-sensitive; check the name, or open the connection "
        "that has it with --profile NAME or --tracking-uri URI."
    )
