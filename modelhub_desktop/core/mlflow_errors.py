"""Translation of MLflow / requests exceptions into the app's error kinds.

The UI shows each kind differently (offline banner, sign-in prompt, ...), and every message
is a sentence a user can act on, free of secrets and stack traces.
"""

from __future__ import annotations

from modelhub_desktop.core.errors import (
    AuthFailed,
    InvalidInput,
    ModelHubError,
    NotFound,
    NotMlflowServer,
    PermissionDenied,
    ServerError,
    TlsFailed,
    Unreachable,
)


def exception_chain(exc: BaseException, limit: int = 10) -> list[BaseException]:
    """`exc` and the exceptions it was raised from (explicitly or while handling)."""
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < limit:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    return chain


def translate_error(exc: BaseException, where: str = "") -> ModelHubError:
    """Map MLflow/requests exceptions to the app's error kinds, with secret-free text."""
    if isinstance(exc, ModelHubError):
        return exc
    import requests

    chain = exception_chain(exc)
    http_status = next((item.response.status_code for item in chain
                        if isinstance(item, requests.exceptions.HTTPError)
                        and item.response is not None), None)
    # a server that answered is judged by its status below, not as a broken connection
    for item in chain if http_status is None else []:
        if isinstance(item, requests.exceptions.SSLError):
            return TlsFailed(
                f"TLS handshake failed{where}. Set a CA bundle in the profile, or skip "
                "verification if you trust this network."
            )
        if isinstance(item, requests.exceptions.RetryError):
            return ServerError(f"The server kept answering with errors{where} (HTTP 5xx); "
                               "it may be overloaded or misconfigured.")
        if isinstance(item, requests.exceptions.Timeout) or (
            isinstance(item, requests.exceptions.ConnectionError) and "timed out" in str(item)
        ):
            return Unreachable(f"The server did not answer in time{where}.")
        if isinstance(item, requests.exceptions.ConnectionError):
            return Unreachable(f"Cannot reach the server{where}: connection failed.")
        if isinstance(item, requests.exceptions.RequestException):
            return Unreachable(f"The connection broke while reading the server's answer{where}.")
    text = str(exc)
    code = getattr(exc, "error_code", "") or ""
    status = http_status
    if status is None and hasattr(exc, "get_http_status_code"):
        try:
            status = exc.get_http_status_code()
        except Exception:  # noqa: BLE001
            status = None
    if (status is not None and status >= 500) or code in ("INTERNAL_ERROR",
                                                          "TEMPORARILY_UNAVAILABLE"):
        return ServerError(f"The server had an internal error{where} (HTTP {status or 500}); "
                           "it may be overloaded or misconfigured.")
    if "Max retries exceeded" in text and "too many 5" in text:
        return ServerError(f"The server kept answering with errors{where}.")
    if code in ("UNAUTHENTICATED", "CUSTOMER_UNAUTHORIZED") or status == 401 or " 401 " in text:
        return AuthFailed(
            "The server rejected the credentials (HTTP 401). Check user and password."
        )
    if code == "PERMISSION_DENIED" or status == 403 or " 403 " in text:
        return PermissionDenied(f"You do not have permission for this{where} (HTTP 403).")
    if code in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND") or status == 404:
        return NotFound(first_line(text) or f"Not found{where}.")
    if code in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST", "INVALID_STATE") or status == 400:
        return InvalidInput(first_line(text))
    if "Max retries exceeded" in text or "Connection refused" in text:
        return Unreachable(f"Cannot reach the server{where}: connection failed.")
    if "Response body" in text and "<html" in text.lower():
        return NotMlflowServer("The server answered, but not with MLflow's REST API.")
    return ModelHubError(first_line(text) or type(exc).__name__)


def first_line(text: str, limit: int = 300) -> str:
    """The first non-empty line of `text`, at most `limit` characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:limit]
