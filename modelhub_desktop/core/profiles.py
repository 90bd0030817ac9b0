"""Connection profiles (a JSON file under the config dir) and their secrets (OS keychain).

Passwords and tokens are never written to the profiles file, a log line or an error
message: they live only in the keychain, or for this session only in memory when the
user chooses that because no keychain is available.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, replace

from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import InvalidInput, KeychainUnavailable, StorageError
from modelhub_desktop.core.paths import AppPaths

LOCAL_NAME = "Local"
ENV_NAME = "Environment"
KEYRING_SERVICE = "modelhub-desktop"
_SCHEMES = ("http://", "https://", "file:", "sqlite:")


def validate(profile: Profile) -> None:
    """Raise InvalidInput with a sentence a user can act on."""
    name = profile.name.strip()
    if not name:
        raise InvalidInput("A profile needs a name.")
    if len(name) > 255:
        raise InvalidInput("Profile names are limited to 255 characters.")
    uri = profile.tracking_uri.strip()
    if not uri.startswith(_SCHEMES):
        raise InvalidInput(
            "The tracking URI must start with http://, https://, file: or sqlite: "
            f"(got {uri[:80]!r})."
        )
    if uri.startswith(("http://", "https://")) and not re.match(r"https?://[^/\s]+", uri):
        raise InvalidInput("The tracking URI has no host name.")
    if profile.auth == "basic" and not profile.username.strip():
        raise InvalidInput("Basic authentication needs a user name.")
    if profile.ca_bundle and profile.insecure_tls:
        raise InvalidInput("Choose either a CA bundle or skipping TLS verification, not both.")


class ProfileStore:
    """Profiles from the config file, plus the built-in Local and Environment profiles."""

    def __init__(self, paths: AppPaths) -> None:
        self.paths = paths
        self.problem = ""  # set when the file was unreadable and moved aside

    # -- built-ins -------------------------------------------------------------------------
    def local_profile(self) -> Profile:
        db = self.paths.local_store_dir / "mlflow.db"
        return Profile(name=LOCAL_NAME, tracking_uri=f"sqlite:///{db}", source="local")

    @staticmethod
    def environment_profile() -> Profile | None:
        uri = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
        if not uri:
            return None
        user = os.environ.get("MLFLOW_TRACKING_USERNAME", "")
        auth = "none"
        if user and os.environ.get("MLFLOW_TRACKING_PASSWORD"):
            auth = "basic"
        elif os.environ.get("MLFLOW_TRACKING_TOKEN"):
            auth = "token"
        insecure = os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").lower() in ("1", "true")
        return Profile(
            name=ENV_NAME, tracking_uri=uri, auth=auth, username=user,  # type: ignore[arg-type]
            ca_bundle=os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH", ""),
            insecure_tls=insecure, source="environment",
        )

    @staticmethod
    def for_tracking_uri(uri: str) -> Profile:
        """An unsaved profile for `--tracking-uri` (its cache is keyed by the URI)."""
        profile = Profile(name=_name_from_uri(uri), tracking_uri=uri.strip(),
                          source="command-line")
        validate(profile)
        return profile

    # -- file ------------------------------------------------------------------------------
    def _read(self) -> dict[str, object]:
        path = self.paths.profiles_file
        if not path.exists():
            return {"profiles": [], "last_used": ""}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("profiles", []), list):
                raise ValueError("unexpected content")
            return data
        except (OSError, ValueError) as exc:
            aside = path.with_name(f"{path.name}.unreadable-{int(time.time())}")
            try:
                path.replace(aside)
            except OSError:
                pass
            self.problem = (f"The profiles file was unreadable ({exc.__class__.__name__}) and "
                            f"was moved to {aside.name}.")
            return {"profiles": [], "last_used": ""}

    def _write(self, data: dict[str, object]) -> None:
        path = self.paths.profiles_file
        tmp = path.with_suffix(".tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            raise StorageError(f"Could not save profiles to {path}: {exc.strerror}.") from None

    def saved(self) -> list[Profile]:
        out = []
        entries = self._read().get("profiles", [])
        for raw in entries if isinstance(entries, list) else []:
            if not isinstance(raw, dict):
                continue
            try:
                fields = {k: raw[k] for k in Profile.__dataclass_fields__ if k in raw}
                out.append(Profile(**fields))
            except TypeError:
                continue
        return out

    def list(self) -> list[Profile]:
        profiles = [self.local_profile()]
        env = self.environment_profile()
        if env is not None:
            profiles.append(env)
        profiles.extend(p for p in self.saved() if p.name not in (LOCAL_NAME, ENV_NAME))
        return profiles

    def get(self, name: str) -> Profile | None:
        return next((p for p in self.list() if p.name == name), None)

    def upsert(self, profile: Profile, old_name: str | None = None) -> Profile:
        validate(profile)
        if profile.name in (LOCAL_NAME, ENV_NAME):
            raise InvalidInput(f"{profile.name!r} is a built-in profile name; choose another.")
        profile = replace(profile, source="config", name=profile.name.strip(),
                          tracking_uri=profile.tracking_uri.strip())
        data = self._read()
        keep = [p for p in self.saved() if p.name not in (profile.name, old_name)]
        data["profiles"] = [asdict(p) for p in [*keep, profile]]
        self._write(data)
        return profile

    def remove(self, name: str) -> None:
        if name in (LOCAL_NAME, ENV_NAME):
            raise InvalidInput(f"The built-in profile {name!r} cannot be removed.")
        data = self._read()
        data["profiles"] = [asdict(p) for p in self.saved() if p.name != name]
        self._write(data)

    def last_used(self) -> str:
        return str(self._read().get("last_used", "") or "")

    def set_last_used(self, name: str) -> None:
        data = self._read()
        if data.get("last_used") == name:
            return
        data["last_used"] = name
        try:
            self._write(data)
        except StorageError:
            pass  # remembering the last profile is a convenience, not worth an error


class SecretStore:
    """Secrets per profile in the OS keychain; never in a file."""

    def __init__(self) -> None:
        self._session: dict[str, Credentials] = {}

    @staticmethod
    def _keyring():
        import keyring

        return keyring

    def keychain_available(self) -> bool:
        """True if a keychain answers (headless Linux gives keyring's `fail` backend)."""
        from keyring.errors import KeyringError

        try:
            self._keyring().get_password(KEYRING_SERVICE, "availability-probe")
            return True
        except KeyringError:
            return False
        except Exception:  # noqa: BLE001 - a broken backend is an unavailable one
            return False

    def backend_name(self) -> str:
        kr = self._keyring().get_keyring()
        return f"{type(kr).__module__}.{type(kr).__name__}"

    @staticmethod
    def _account(profile: Profile, kind: str) -> str:
        return f"{profile.name}\n{profile.tracking_uri}\n{kind}"

    def credentials(self, profile: Profile) -> Credentials:
        if profile.source == "environment":
            return Credentials(password=os.environ.get("MLFLOW_TRACKING_PASSWORD", ""),
                               token=os.environ.get("MLFLOW_TRACKING_TOKEN", ""))
        if profile.name in self._session:
            return self._session[profile.name]
        if profile.auth == "none":
            return Credentials()
        from keyring.errors import KeyringError, NoKeyringError

        kind = "password" if profile.auth == "basic" else "token"
        try:
            secret = self._keyring().get_password(KEYRING_SERVICE,
                                                  self._account(profile, kind)) or ""
        except NoKeyringError:
            raise KeychainUnavailable(_NO_KEYCHAIN) from None
        except KeyringError as exc:
            raise KeychainUnavailable(f"The keychain could not be read ({type(exc).__name__}).") \
                from None
        return Credentials(password=secret) if kind == "password" else Credentials(token=secret)

    def save(self, profile: Profile, password: str = "", token: str = "") -> None:
        """Store the secret in the keychain; raises KeychainUnavailable if there is none."""
        from keyring.errors import KeyringError, NoKeyringError

        kind, secret = ("password", password) if profile.auth == "basic" else ("token", token)
        try:
            self._keyring().set_password(KEYRING_SERVICE, self._account(profile, kind), secret)
        except NoKeyringError:
            raise KeychainUnavailable(_NO_KEYCHAIN) from None
        except KeyringError as exc:
            raise KeychainUnavailable(f"The keychain refused the secret ({type(exc).__name__}).") \
                from None
        self._session.pop(profile.name, None)

    def keep_for_session(self, profile: Profile, password: str = "", token: str = "") -> None:
        """The user's explicit choice when there is no keychain: remember until quit."""
        self._session[profile.name] = Credentials(password=password, token=token)

    def delete(self, profile: Profile) -> None:
        self._session.pop(profile.name, None)
        from keyring.errors import KeyringError

        for kind in ("password", "token"):
            try:
                self._keyring().delete_password(KEYRING_SERVICE, self._account(profile, kind))
            except (KeyringError, Exception):  # noqa: BLE001 - nothing stored is fine
                pass


_NO_KEYCHAIN = (
    "No system keychain is available (on Linux: no Secret Service such as GNOME Keyring or "
    "KWallet is running). The password can be kept for this session only."
)


def _name_from_uri(uri: str) -> str:
    text = re.sub(r"^[a-z]+:/*", "", uri.strip()).rstrip("/")
    text = re.sub(r"^[^@/]*@", "", text)  # never show user:password@ in a name
    return text[:80] or uri[:80]
