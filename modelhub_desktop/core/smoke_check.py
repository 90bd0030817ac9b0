"""The serve-and-predict smoke check: serve the candidate, send its serving input example,
expect a well-formed `{"predictions": ...}` answer, and take the server down again.

`smoke_test` works on any `DeployBackend` (core/deploy/base.py). `service_smoke` is what the
app uses: the deploy service fetches the version with the profile's credentials, and its
local backend (the app's own serving command) serves it on a free loopback port under a
throw-away name. The temporary deployment is never stored as a record nor audited, and it
is stopped and deleted whatever happens (failure, cancel), so its port is free afterwards.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from modelhub_desktop.core.checks import SmokeFn, Status
from modelhub_desktop.core.deploy import choice, process
from modelhub_desktop.core.deploy.base import DeployBackend, DeploymentRecord, Prediction
from modelhub_desktop.core.deploy.fetch import LocalModel
from modelhub_desktop.core.deploy.payload import validate_payload
from modelhub_desktop.core.domain import ModelVersion, Profile
from modelhub_desktop.core.errors import Cancelled, InvalidInput, ModelHubError, NotFound
from modelhub_desktop.core.progress import TaskContext

HOST = "127.0.0.1"


def well_formed(answer: Prediction, payload: object) -> tuple[bool, str]:
    """Whether a prediction answer is a scoring server's answer to `payload`."""
    if answer.error or answer.status != 200:
        return False, (f"The served model answered HTTP {answer.status}"
                       + (f": {answer.error}" if answer.error else "."))
    body = answer.body
    preds = body.get("predictions") if isinstance(body, Mapping) else None
    if preds is None:
        return False, "The served model answered without predictions."
    rows = _rows(payload)
    if rows is not None and isinstance(preds, list) and len(preds) != rows:
        return False, (f"The served model answered {_count(len(preds), 'prediction')} for "
                       f"{_count(rows, 'row')}.")
    count = _count(len(preds), "prediction") if isinstance(preds, list) else "a prediction"
    return True, f"Served and answered {count} in {answer.latency_ms:.0f} ms."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _rows(payload: object) -> int | None:
    if not isinstance(payload, Mapping):
        return None
    split = payload.get("dataframe_split")
    if isinstance(split, Mapping) and isinstance(split.get("data"), list):
        return len(split["data"])
    records = payload.get("dataframe_records")
    return len(records) if isinstance(records, list) else None


def smoke_test(backend: DeployBackend, ctx: TaskContext | None = None,
               settings: Mapping[str, str] | None = None) -> SmokeFn:
    """A `SmokeFn` that serves the candidate on `backend` (loopback, a free port), sends the
    example and takes the deployment down again, whatever happened. A cancel propagates."""

    def run(version: ModelVersion, payload: object) -> tuple[Status, str]:
        try:
            body = validate_payload(payload)
        except InvalidInput as exc:
            return "fail", f"The serving input example is not a scoring request: {exc}"
        name = f"smoke-v{version.version}-{secrets.token_hex(3)}"
        conf = {"host": HOST, "port": str(process.free_port(HOST)), **(settings or {})}
        record: DeploymentRecord | None = None
        try:
            record = backend.create(name, version.uri, conf, ctx or TaskContext())
            if ctx is not None:
                ctx.check()
            ok, sentence = well_formed(backend.predict(record, body), payload)
            return ("pass" if ok else "fail"), sentence
        except Cancelled:
            raise
        except ModelHubError as exc:
            return "fail", f"Serving v{version.version} failed: {exc}"
        finally:
            if record is not None:
                _take_down(backend, record)
            else:
                _forget_log(backend, name)

    return run


def _take_down(backend: DeployBackend, record: DeploymentRecord) -> None:
    for step in (backend.stop, backend.delete):
        try:
            step(record)
        except ModelHubError:
            continue


def _forget_log(backend: DeployBackend, name: str) -> None:
    """A server that never came up still wrote a log (its tail is in the sentence)."""
    log_path = getattr(backend, "log_path", None)
    if callable(log_path):
        with contextlib.suppress(OSError, TypeError):
            Path(log_path(name)).unlink(missing_ok=True)


class SmokeServer(Protocol):
    """What the smoke check needs of the deploy service (core/deploy/service.py)."""

    @property
    def profile(self) -> Profile | None: ...

    @property
    def local(self) -> DeployBackend: ...

    def fetch_model(self, model_uri: str, ctx: TaskContext | None = None) -> LocalModel: ...


def serve_settings(profile: Profile | None) -> dict[str, str]:
    """How the serving command finds the profile the model was fetched with (as deploys do)."""
    if profile is None:
        return {}
    if profile.source in ("config", "environment"):
        return {"profile": profile.name}
    return {"tracking_uri": profile.tracking_uri}


def service_smoke(service: SmokeServer, ctx: TaskContext | None = None) -> SmokeFn:
    """The app's smoke check: fetch through the deploy service, serve with its local backend.

    A version that cannot be fetched or has no pyfunc flavor fails with the reason; one that
    needs libraries the app does not carry is skipped (it needs a Python environment)."""

    def run(version: ModelVersion, payload: object) -> tuple[Status, str]:
        try:
            local = service.fetch_model(version.uri, ctx)
            path = choice.serving_path(local)
        except Cancelled:
            raise
        except (InvalidInput, NotFound) as exc:
            return "fail", str(exc)
        except ModelHubError as exc:
            return "fail", f"v{version.version} could not be fetched to serve it: {exc}"
        if path.kind != choice.LOCAL:
            return "skipped", (f"{path.reason} The smoke check serves only what the app "
                               "carries.")
        return smoke_test(service.local, ctx, serve_settings(service.profile))(version, payload)

    return run
