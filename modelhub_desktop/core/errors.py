"""The few error kinds the UI shows differently. Messages are user-facing and secret-free."""

from __future__ import annotations


class ModelHubError(Exception):
    """Base: `str(err)` is a sentence a user can act on."""

    title = "Error"


class Unreachable(ModelHubError):
    title = "Server unreachable"


class TlsFailed(Unreachable):
    title = "TLS failure"


class ServerError(Unreachable):
    """The server answered 5xx: treat like unreachable (stay on cached data, retry)."""

    title = "Server error"


class NotMlflowServer(ModelHubError):
    title = "Not an MLflow server"


class AuthFailed(ModelHubError):
    title = "Authentication failed"


class PermissionDenied(ModelHubError):
    title = "Permission denied"


class NotFound(ModelHubError):
    title = "Not found"


class InvalidInput(ModelHubError):
    title = "Invalid input"


class MissingLibrary(ModelHubError):
    """A Python package the app needs for this kind of artifact store is not installed."""

    title = "Storage library missing"


class Cancelled(ModelHubError):
    title = "Cancelled"


class KeychainUnavailable(ModelHubError):
    title = "No keychain"


class StorageError(ModelHubError):
    """Local disk trouble: read-only data dir, disk full, corrupted cache."""

    title = "Local storage problem"
