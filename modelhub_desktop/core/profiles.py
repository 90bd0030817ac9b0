"""Connection profiles: the profiles file under the config dir plus the built-in profiles.

The file holds addresses and user names, never a password or token (those live in
`core.secrets`). Built-ins: "Local" (the embedded registry under the data dir) and
"Environment" (MLflow's own environment variables, when MLFLOW_TRACKING_URI is set).
"""

from __future__ import annotations

import builtins
import json
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, replace
from typing import Any

from modelhub_desktop.core.domain import AuthKind, Profile
from modelhub_desktop.core.errors import InvalidInput, StorageError
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.secrets import SecretStore as SecretStore  # noqa: PLC0414 - old home
from modelhub_desktop.core.tracking_uri import (
    CONTROL,
    from_plain_path,
    name_from_uri,
    validate_http_url,
    validate_tracking_uri,
)

LOCAL_NAME = "Local"
ENV_NAME = "Environment"
BUILTIN_NAMES = (LOCAL_NAME, ENV_NAME)
AUTH_KINDS = ("none", "basic", "token")
#: What a profile's name is followed by where profiles are listed (and accepted back).
_LABEL_SUFFIX = {"local": " (built-in)", "environment": " (from environment)"}
_TRUE = ("1", "true", "yes")


def validate(profile: Profile) -> None:
    """Raise InvalidInput with a sentence a user can act on."""
    name = profile.name.strip()
    if not name:
        raise InvalidInput("A profile needs a name.")
    if len(name) > 255:
        raise InvalidInput("Profile names are limited to 255 characters.")
    if CONTROL.search(name):
        raise InvalidInput("Profile names cannot contain line breaks or control characters.")
    validate_tracking_uri(profile.tracking_uri)
    if profile.auth not in AUTH_KINDS:
        raise InvalidInput("Authentication must be none, user and password, or a token.")
    if profile.auth == "basic" and not profile.username.strip():
        raise InvalidInput("Basic authentication needs a user name.")
    if CONTROL.search(profile.username):
        raise InvalidInput("The user name cannot contain line breaks or control characters.")
    if profile.ca_bundle and profile.insecure_tls:
        raise InvalidInput("Choose either a CA bundle or skipping TLS verification, not both.")
    validate_http_url(profile.ui_url, "MLflow UI address")
    validate_http_url(profile.s3_endpoint_url, "S3 endpoint URL")


def label(profile: Profile) -> str:
    """The name as lists show it, e.g. "Local (built-in)"; `ProfileStore.find` accepts it."""
    return profile.name + _LABEL_SUFFIX.get(profile.source, "")


def environment_profile(environ: Mapping[str, str]) -> Profile | None:
    """MLflow's own environment variables as a profile, when MLFLOW_TRACKING_URI is set.

    Reads the variables every MLflow client reads: the tracking and registry URIs, user
    and password or token, CA bundle / insecure TLS and the S3 endpoint. The secret itself
    stays in the environment (see `SecretStore.credentials`).
    """
    uri = from_plain_path(environ.get("MLFLOW_TRACKING_URI", ""))
    if not uri:
        return None
    user = environ.get("MLFLOW_TRACKING_USERNAME", "")
    auth: AuthKind = "none"
    if user and environ.get("MLFLOW_TRACKING_PASSWORD"):
        auth = "basic"
    elif environ.get("MLFLOW_TRACKING_TOKEN"):
        auth = "token"
    registry = from_plain_path(environ.get("MLFLOW_REGISTRY_URI", ""))
    return Profile(
        name=ENV_NAME,
        tracking_uri=uri,
        auth=auth,
        username=user,
        ca_bundle=environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH", ""),
        insecure_tls=environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").strip().lower() in _TRUE,
        source="environment",
        s3_endpoint_url=environ.get("MLFLOW_S3_ENDPOINT_URL", "").strip(),
        registry_uri=registry if registry and registry.rstrip("/") != uri.rstrip("/") else "",
    )


class ProfileStore:
    """Profiles from the config file, plus the built-in Local and Environment profiles.

    `environ` is where the Environment profile comes from (the process environment
    unless a caller passes another mapping, e.g. a test).
    """

    def __init__(self, paths: AppPaths, environ: Mapping[str, str] | None = None) -> None:
        self.paths = paths
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        #: A sentence for the user when the profiles file was unreadable (set on first read).
        self.problem = ""

    # -- built-ins -----------------------------------------------------------------------
    def local_profile(self) -> Profile:
        """The embedded registry under the data dir (its folder is created on first use)."""
        db = self.paths.local_store_dir / "mlflow.db"
        return Profile(name=LOCAL_NAME, tracking_uri=f"sqlite:///{db}", source="local")

    def environment_profile(self, environ: Mapping[str, str] | None = None) -> Profile | None:
        return environment_profile(self.environ if environ is None else environ)

    @staticmethod
    def for_tracking_uri(uri: str) -> Profile:
        """An unsaved profile for `--tracking-uri` (its cache is keyed by the URI)."""
        validate_tracking_uri(uri)
        profile = Profile(name=name_from_uri(uri), tracking_uri=uri.strip(), source="command-line")
        validate(profile)
        return profile

    # -- file ------------------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        path = self.paths.profiles_file
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"profiles": [], "last_used": ""}
        except OSError as exc:
            self.problem = f"The profiles file {path} could not be read: {exc.strerror}."
            return {"profiles": [], "last_used": ""}
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or not isinstance(data.get("profiles", []), list):
                raise ValueError("unexpected content")
            return data
        except ValueError as exc:
            aside = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                path.replace(aside)
                where = f"moved to {aside}"
            except OSError:
                where = "left in place"
            kind = "not valid JSON" if isinstance(exc, json.JSONDecodeError) else str(exc)
            self.problem = (
                f"The profiles file was unreadable ({kind}) and was {where}; "
                "starting with the built-in profiles."
            )
            return {"profiles": [], "last_used": ""}

    def _write(self, data: dict[str, Any]) -> None:
        """Atomic: a temp file in the same folder, flushed, then os.replace."""
        path = self.paths.profiles_file
        tmp_name = ""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".profiles-", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2, ensure_ascii=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, path)
        except OSError as exc:
            if tmp_name:
                try:
                    os.unlink(tmp_name)
                except OSError:
                    pass
            raise StorageError(
                f"Could not save profiles to {path}: {exc.strerror or type(exc).__name__}."
            ) from None

    def saved(self) -> builtins.list[Profile]:
        """The profiles from the file (entries that cannot be understood are skipped)."""
        out = []
        entries = self._read().get("profiles", [])
        for raw in entries if isinstance(entries, builtins.list) else []:
            if not isinstance(raw, dict):
                continue
            try:
                fields = {k: raw[k] for k in Profile.__dataclass_fields__ if k in raw}
                fields["source"] = "config"
                profile = Profile(**fields)
                if not all(
                    isinstance(getattr(profile, f), str)
                    for f in ("name", "tracking_uri", "s3_endpoint_url", "registry_uri")
                ):
                    continue
                if profile.auth not in AUTH_KINDS:
                    continue
            except TypeError:
                continue
            out.append(profile)
        return out

    def list(self, environ: Mapping[str, str] | None = None) -> builtins.list[Profile]:
        """Local first, then Environment (if MLFLOW_TRACKING_URI is set), then saved ones."""
        profiles = [self.local_profile()]
        env = self.environment_profile(environ)
        if env is not None:
            profiles.append(env)
        profiles.extend(p for p in self.saved() if p.name not in BUILTIN_NAMES)
        return profiles

    def get(self, name: str, environ: Mapping[str, str] | None = None) -> Profile | None:
        return next((p for p in self.list(environ) if p.name == name), None)

    def find(self, text: str, environ: Mapping[str, str] | None = None) -> Profile | None:
        """The profile a user named: its name or its listed label ("Local (built-in)"),
        exactly, else ignoring case."""
        text = text.strip()
        profiles = self.list(environ)
        for same in (str.__eq__, lambda a, b: a.casefold() == b.casefold()):
            for p in profiles:
                if same(p.name, text) or same(label(p), text):
                    return p
        return None

    def upsert(self, profile: Profile, old_name: str | None = None) -> Profile:
        """Add or replace `profile` (renamed from `old_name` if given). Returns what was saved."""
        validate(profile)
        profile = replace(
            profile,
            source="config",
            name=profile.name.strip(),
            tracking_uri=profile.tracking_uri.strip(),
            username=profile.username.strip(),
            ca_bundle=profile.ca_bundle.strip(),
            ui_url=profile.ui_url.strip(),
            s3_endpoint_url=profile.s3_endpoint_url.strip(),
            registry_uri=profile.registry_uri.strip(),
        )
        if profile.name.casefold() in (n.casefold() for n in BUILTIN_NAMES):
            raise InvalidInput(f"{profile.name!r} is a built-in profile name; choose another.")
        data = self._read()
        current = self.saved()
        renamed = old_name is not None and old_name != profile.name
        if renamed and any(p.name == profile.name for p in current):
            raise InvalidInput(f"A profile named {profile.name!r} already exists.")
        keep = [p for p in current if p.name not in (profile.name, old_name)]
        data["profiles"] = [_plain(p) for p in [*keep, profile]]
        if old_name and data.get("last_used") == old_name:
            data["last_used"] = profile.name
        self._write(data)
        return profile

    def remove(self, name: str) -> None:
        if name in BUILTIN_NAMES:
            raise InvalidInput(f"The built-in profile {name!r} cannot be removed.")
        data = self._read()
        data["profiles"] = [_plain(p) for p in self.saved() if p.name != name]
        if data.get("last_used") == name:
            data["last_used"] = ""
        self._write(data)

    # -- the last connection used --------------------------------------------------------
    def last_used(self) -> str:
        return str(self._read().get("last_used", "") or "")

    def set_last_used(self, profile: Profile | str) -> None:
        """Remember the connection opened, so a relaunch without flags reopens it.

        Give the Profile: one opened with `--tracking-uri` is not in the list, so its
        address is remembered with its name.
        """
        name = profile if isinstance(profile, str) else profile.name
        uri = "" if isinstance(profile, str) or profile.source != "command-line" else (
            profile.tracking_uri
        )
        data = self._read()
        if data.get("last_used") == name and str(data.get("last_uri", "")) == uri:
            return
        data["last_used"] = name
        if uri:
            data["last_uri"] = uri
        else:
            data.pop("last_uri", None)
        try:
            self._write(data)
        except StorageError:
            pass  # remembering the last profile is a convenience, not worth an error

    def last_connection(self, environ: Mapping[str, str] | None = None) -> Profile | None:
        """The connection used last, if it can still be opened (None otherwise)."""
        data = self._read()
        name = str(data.get("last_used", "") or "")
        if not name:
            return None
        uri = data.get("last_uri")
        if isinstance(uri, str) and uri:
            try:
                profile = self.for_tracking_uri(uri)
            except InvalidInput:
                return None
            return profile if profile.name == name else None
        return self.get(name, environ)

    # the keyring backend the user picked by name when the default one is unusable
    def secret_backend(self) -> str:
        return str(self._read().get("keyring_backend", "") or "")

    def set_secret_backend(self, backend_id: str) -> None:
        data = self._read()
        data["keyring_backend"] = backend_id
        self._write(data)


def _plain(profile: Profile) -> dict[str, Any]:
    raw = asdict(profile)
    raw.pop("source", None)
    return raw


__all__ = [
    "AUTH_KINDS",
    "BUILTIN_NAMES",
    "ENV_NAME",
    "LOCAL_NAME",
    "ProfileStore",
    "SecretStore",
    "environment_profile",
    "label",
    "validate",
]
