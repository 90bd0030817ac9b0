"""Connection profiles (a JSON file under the config dir) and their secrets (OS keychain).

Passwords and tokens are never written to the profiles file, a log line or an error
message: they live only in the keychain, or - when no keychain is available and the user
explicitly chooses it - in memory for this session only, or in another keyring backend
the user picked by name. There is no plain-text fallback.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from modelhub_desktop.core.domain import AuthKind, Credentials, Profile
from modelhub_desktop.core.errors import InvalidInput, KeychainUnavailable, StorageError
from modelhub_desktop.core.paths import AppPaths

LOCAL_NAME = "Local"
ENV_NAME = "Environment"
BUILTIN_NAMES = (LOCAL_NAME, ENV_NAME)
KEYRING_SERVICE = "modelhub-desktop"
SCHEMES = ("http", "https", "file", "sqlite")
_AUTH_KINDS = ("none", "basic", "token")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# -- validation --------------------------------------------------------------------------------
def validate_tracking_uri(uri: str) -> None:
    """Raise InvalidInput unless `uri` is an http(s), file: or sqlite: tracking URI."""
    uri = uri.strip()
    if not uri:
        raise InvalidInput("Enter a tracking URI, e.g. https://mlflow.example.com.")
    if _CONTROL.search(uri):
        raise InvalidInput("The tracking URI must not contain line breaks or control characters.")
    scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
    if scheme not in SCHEMES:
        raise InvalidInput(
            "The tracking URI must start with http://, https://, file: or sqlite: "
            f"(got {_shorten(_without_userinfo(uri))!r})."
        )
    if scheme in ("http", "https"):
        if " " in uri:
            raise InvalidInput("A server address cannot contain spaces.")
        if not uri.lower().startswith(f"{scheme}://"):
            raise InvalidInput(f"The tracking URI must start with {scheme}://.")
        try:
            parts = urlsplit(uri)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise InvalidInput("The tracking URI has an invalid port number.") from None
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            raise InvalidInput(
                "Put the user name and password in the profile's fields, not in the address: "
                "the address is saved in a plain file, secrets only in the keychain."
            )
        if not parts.hostname:
            raise InvalidInput("The tracking URI has no host name.")
    elif scheme == "sqlite":
        if not uri.startswith("sqlite:///") or not sqlite_path(uri).name:
            raise InvalidInput(
                "A sqlite tracking URI names a database file: sqlite:////absolute/path/mlflow.db."
            )
    elif scheme == "file" and not local_file_path(uri).name:
        raise InvalidInput("A file: tracking URI names a folder: file:///absolute/path/mlruns.")


def validate(profile: Profile) -> None:
    """Raise InvalidInput with a sentence a user can act on."""
    name = profile.name.strip()
    if not name:
        raise InvalidInput("A profile needs a name.")
    if len(name) > 255:
        raise InvalidInput("Profile names are limited to 255 characters.")
    if _CONTROL.search(name):
        raise InvalidInput("Profile names cannot contain line breaks or control characters.")
    validate_tracking_uri(profile.tracking_uri)
    if profile.auth not in _AUTH_KINDS:
        raise InvalidInput("Authentication must be none, user and password, or a token.")
    if profile.auth == "basic" and not profile.username.strip():
        raise InvalidInput("Basic authentication needs a user name.")
    if _CONTROL.search(profile.username):
        raise InvalidInput("The user name cannot contain line breaks or control characters.")
    if profile.ca_bundle and profile.insecure_tls:
        raise InvalidInput("Choose either a CA bundle or skipping TLS verification, not both.")
    if profile.ui_url.strip() and not re.match(r"https?://[^/\s@]+", profile.ui_url.strip()):
        raise InvalidInput("The MLflow UI address must start with http:// or https://.")


def sqlite_path(uri: str) -> Path:
    """The database file of a `sqlite:///...` URI (SQLAlchemy rules: 4 slashes = absolute)."""
    rest = uri.strip()[len("sqlite:") :].split("?", 1)[0]
    if rest.startswith("///"):
        return Path(rest[3:])
    return Path("")


def local_file_path(uri: str) -> Path:
    """The folder of a `file:` URI."""
    from urllib.request import url2pathname

    rest = uri.strip()[len("file:") :].split("?", 1)[0]
    if rest.startswith("//"):
        rest = urlsplit("file:" + rest).path
    return Path(url2pathname(rest)) if rest else Path("")


def same_origin(a: str, b: str) -> bool:
    """True if both URIs talk to the same scheme://host:port (or are the same local store)."""
    pa, pb = urlsplit(a.strip()), urlsplit(b.strip())
    if pa.scheme in ("http", "https") or pb.scheme in ("http", "https"):
        return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)
    return a.strip() == b.strip()


# -- profiles ----------------------------------------------------------------------------------
class ProfileStore:
    """Profiles from the config file, plus the built-in Local and Environment profiles."""

    def __init__(self, paths: AppPaths) -> None:
        self.paths = paths
        #: A sentence for the user when the profiles file was unreadable (set on first read).
        self.problem = ""

    # -- built-ins -----------------------------------------------------------------------
    def local_profile(self) -> Profile:
        """The embedded registry under the data dir (its folder is created on first use)."""
        db = self.paths.local_store_dir / "mlflow.db"
        return Profile(name=LOCAL_NAME, tracking_uri=f"sqlite:///{db}", source="local")

    @staticmethod
    def environment_profile() -> Profile | None:
        """MLflow's own environment variables as a profile, when MLFLOW_TRACKING_URI is set."""
        uri = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
        if not uri:
            return None
        user = os.environ.get("MLFLOW_TRACKING_USERNAME", "")
        auth: AuthKind = "none"
        if user and os.environ.get("MLFLOW_TRACKING_PASSWORD"):
            auth = "basic"
        elif os.environ.get("MLFLOW_TRACKING_TOKEN"):
            auth = "token"
        insecure = os.environ.get("MLFLOW_TRACKING_INSECURE_TLS", "").strip().lower()
        return Profile(
            name=ENV_NAME,
            tracking_uri=uri,
            auth=auth,
            username=user,
            ca_bundle=os.environ.get("MLFLOW_TRACKING_SERVER_CERT_PATH", ""),
            insecure_tls=insecure in ("1", "true", "yes"),
            source="environment",
        )

    @staticmethod
    def for_tracking_uri(uri: str) -> Profile:
        """An unsaved profile for `--tracking-uri` (its cache is keyed by the URI)."""
        validate_tracking_uri(uri)
        profile = Profile(name=_name_from_uri(uri), tracking_uri=uri.strip(), source="command-line")
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
                if not isinstance(profile.name, str) or not isinstance(profile.tracking_uri, str):
                    continue
                if profile.auth not in _AUTH_KINDS:
                    continue
            except TypeError:
                continue
            out.append(profile)
        return out

    def list(self) -> builtins.list[Profile]:
        """Local first, then Environment (if MLFLOW_TRACKING_URI is set), then saved ones."""
        profiles = [self.local_profile()]
        env = self.environment_profile()
        if env is not None:
            profiles.append(env)
        profiles.extend(p for p in self.saved() if p.name not in BUILTIN_NAMES)
        return profiles

    def get(self, name: str) -> Profile | None:
        return next((p for p in self.list() if p.name == name), None)

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


# -- secrets -----------------------------------------------------------------------------------
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

    def __init__(self, store: ProfileStore | None = None) -> None:
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
        if remember and self._store is not None:
            self._store.set_secret_backend(ident)

    # -- secrets ---------------------------------------------------------------------------
    @staticmethod
    def _account(profile: Profile, kind: str) -> str:
        return f"{profile.name}\n{profile.tracking_uri}\n{kind}"

    @staticmethod
    def _kind(profile: Profile) -> str:
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
        kind = self._kind(profile)
        try:
            secret = self._keyring().get_password(KEYRING_SERVICE, self._account(profile, kind))
        except Exception as exc:  # noqa: BLE001 - any backend failure, said without detail
            raise _unavailable(exc, "read") from None
        secret = secret or ""
        return Credentials(password=secret) if kind == "password" else Credentials(token=secret)

    def save(self, profile: Profile, password: str = "", token: str = "") -> None:
        """Store the secret in the keychain; raises KeychainUnavailable if there is none."""
        kind = self._kind(profile)
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

    def carry_over(self, old: Profile, new: Profile, keep_old: bool = False) -> bool:
        """Move (or copy) a stored secret when a profile is renamed (or duplicated).

        Only within the same server (scheme, host, port) and the same kind of auth: a
        secret is never sent to an address it was not saved for. Returns True if carried.
        """
        if old.cache_key == new.cache_key and old.auth == new.auth:
            return True
        carried = False
        if (
            old.auth == new.auth
            and old.auth != "none"
            and same_origin(old.tracking_uri, new.tracking_uri)
        ):
            try:
                creds = self.credentials(old)
            except KeychainUnavailable:
                creds = Credentials()
            secret = creds.password if self._kind(old) == "password" else creds.token
            if secret:
                if old.cache_key in self._session:
                    self._session[new.cache_key] = creds
                    carried = True
                else:
                    try:
                        self.save(new, password=creds.password, token=creds.token)
                        carried = True
                    except KeychainUnavailable:
                        carried = False
        if not keep_old:
            self.delete(old)
        return carried


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


def _without_userinfo(uri: str) -> str:
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^@/]*@", r"\1", uri)


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name_from_uri(uri: str) -> str:
    text = _without_userinfo(uri.strip())  # never show user:password@ in a name
    text = re.sub(r"^[a-zA-Z]+:/*", "", text).rstrip("/")
    return _shorten(text) or _shorten(uri.strip())
