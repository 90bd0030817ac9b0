"""Tracking URIs: validate what a user typed, read local paths out of them, compare servers.

Every message is a sentence a user can act on and never repeats a password that was
typed into an address.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from modelhub_desktop.core.errors import InvalidInput

SCHEMES = ("http", "https", "file", "sqlite")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HTTP_URL = re.compile(r"https?://[^/\s@]+", re.IGNORECASE)


def validate_tracking_uri(uri: str) -> None:
    """Raise InvalidInput unless `uri` is an http(s), file: or sqlite: tracking URI."""
    uri = uri.strip()
    if not uri:
        raise InvalidInput("Enter a tracking URI, e.g. https://mlflow.example.com.")
    if CONTROL.search(uri):
        raise InvalidInput("The tracking URI must not contain line breaks or control characters.")
    scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
    if scheme not in SCHEMES:
        raise InvalidInput(
            "The tracking URI must start with http://, https://, file: or sqlite: "
            f"(got {shorten(without_userinfo(uri))!r})."
        )
    if scheme in ("http", "https"):
        _check_http(uri, scheme, "tracking URI")
    elif scheme == "sqlite":
        if not uri.startswith("sqlite:///") or not sqlite_path(uri).name:
            raise InvalidInput(
                "A sqlite tracking URI names a database file: sqlite:////absolute/path/mlflow.db."
            )
    elif scheme == "file" and not local_file_path(uri).name:
        raise InvalidInput("A file: tracking URI names a folder: file:///absolute/path/mlruns.")


def validate_http_url(url: str, what: str) -> None:
    """Raise InvalidInput unless `url` (may be empty: not set) is an http(s) address."""
    url = url.strip()
    if not url:
        return
    if CONTROL.search(url) or not _HTTP_URL.match(url):
        raise InvalidInput(f"The {what} must start with http:// or https://.")
    _check_http(url, url.split(":", 1)[0].lower(), what)


def _check_http(uri: str, scheme: str, what: str) -> None:
    if " " in uri:
        raise InvalidInput(f"The {what} cannot contain spaces.")
    if not uri.lower().startswith(f"{scheme}://"):
        raise InvalidInput(f"The {what} must start with {scheme}://.")
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InvalidInput(f"The {what} has an invalid port number.") from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidInput(
            "Put the user name and password in the profile's fields, not in the address: "
            "the address is saved in a plain file, secrets only in the keychain."
        )
    if not parts.hostname:
        raise InvalidInput(f"The {what} has no host name.")


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


def from_plain_path(value: str) -> str:
    """MLflow accepts a bare folder path as a tracking URI (a file store): make it a URI."""
    text = value.strip()
    if text and ":" not in text.split("/", 1)[0] and (text.startswith(("/", ".", "~"))):
        return Path(text).expanduser().resolve().as_uri()
    if re.match(r"^[A-Za-z]:[\\/]", text):  # C:\mlruns
        return Path(text).resolve().as_uri()
    return text


def same_origin(a: str, b: str) -> bool:
    """True if both URIs talk to the same scheme://host:port (or are the same local store)."""
    pa, pb = urlsplit(a.strip()), urlsplit(b.strip())
    if pa.scheme in ("http", "https") or pb.scheme in ("http", "https"):
        try:
            return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)
        except ValueError:  # a bad port never matches
            return False
    return a.strip() == b.strip()


def shown_uri(uri: str) -> str:
    """The URI as the user should see it: no user info; a sqlite/file store as its path."""
    text = uri.strip()
    if text.startswith("sqlite:///"):
        return str(sqlite_path(text))
    if text.startswith("file:"):
        return str(local_file_path(text))
    return without_userinfo(text)


def without_userinfo(uri: str) -> str:
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^@/]*@", r"\1", uri)


def shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def name_from_uri(uri: str) -> str:
    """A profile name for an address opened without a profile (never with user:password@)."""
    text = without_userinfo(uri.strip())
    text = re.sub(r"^[a-zA-Z]+:/*", "", text).rstrip("/")
    return shorten(text) or shorten(uri.strip())
