"""DeployService: the one thing the UI calls to deploy, watch and stop model versions.

It picks the backend (the app's own server, a Python environment, or an MLflow
deployments target), fetches the version's files with the current profile's credentials
before any server starts, keeps the records (core/deploy/records.py), reconciles them
with what really runs, follows aliases, audits changes on the model, and stops the
app's servers when the app quits unless they are marked "keep running". Plain Python:
the UI runs every call on its task runner (writes on the mutation thread).
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from modelhub_desktop.core.deploy import choice, deploy_audit, fetch, process
from modelhub_desktop.core.deploy.base import (
    FAILED,
    RUNNING,
    STOPPED,
    DeployBackend,
    DeployFailed,
    DeploymentRecord,
    Health,
    Prediction,
    RequestStats,
)
from modelhub_desktop.core.deploy.local import DEFAULT_HOST, LocalBackend, ProcessBackend
from modelhub_desktop.core.deploy.payload import validate_payload
from modelhub_desktop.core.deploy.python_env import PythonEnvBackend
from modelhub_desktop.core.deploy.records import RecordStore
from modelhub_desktop.core.deploy.targets import PREFIX, TargetBackend, parse_config
from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import InvalidInput, ModelHubError, NotFound
from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.progress import TaskContext

LOCAL, PYTHON_ENV, TARGET = choice.LOCAL, choice.PYTHON_ENV, "target"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


@dataclass(frozen=True)
class AliasState:
    """Whether an alias-following deployment serves the version its alias points to."""

    alias: str
    served: int
    current: int | None  # None: the alias no longer exists
    message: str

    @property
    def stale(self) -> bool:
        return self.current is not None and self.current != self.served


def alias_state(record: DeploymentRecord, aliases: Mapping[str, int]) -> AliasState | None:
    """From a model's alias map (the server's or the cache's); None if it follows none."""
    if not record.alias:
        return None
    current = aliases.get(record.alias)
    if current is None:
        msg = f"@{record.alias} no longer exists on {record.model_name}; serving v{record.version}."
    elif current != record.version:
        msg = (f"Serves v{record.version}, an old version: @{record.alias} is now v{current}. "
               f"Update to v{current}.")
    else:
        msg = f"Serves v{current}, the version @{record.alias} points to."
    return AliasState(record.alias, record.version, current, msg)


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "unknown"


class DeployService:
    """Deployments of every backend; the current profile's gateway fetches models."""

    def __init__(self, paths: AppPaths, store: RecordStore | None = None) -> None:
        self.paths = paths
        self.store = store or RecordStore(paths.data_dir / "deployments.json")
        self.local = LocalBackend(paths, self.store)
        self.python_env = PythonEnvBackend(paths, self.store)
        self.profile: Profile | None = None
        self.gateway: Any = None  # RegistryGateway (fetch.ModelSource + audit sink)
        self._targets: dict[str, TargetBackend] = {}

    def set_session(self, profile: Profile | None, gateway: Any) -> None:
        """The profile (and its gateway) new deployments come from."""
        self.profile, self.gateway = profile, gateway
        self._targets.clear()

    @property
    def who(self) -> str:
        if self.profile is not None and self.profile.username:
            return self.profile.username
        return os_user()

    # -- backends ------------------------------------------------------------------------------
    def backend_for(self, backend: str, settings: Mapping[str, str] | None = None) -> Any:
        if backend == LOCAL:
            return self.local
        if backend == PYTHON_ENV:
            return self.python_env
        target = backend[len(PREFIX):] if backend.startswith(PREFIX) else ""
        if backend == TARGET:
            target = (settings or {}).get("target", "")
        if not target.strip():
            raise InvalidInput(f"Unknown backend {backend!r}: use local, python-env or "
                               "target:<target URI>.")
        if target not in self._targets:
            uri = self.profile.tracking_uri if self.profile is not None else ""
            self._targets[target] = TargetBackend(target, uri)
        return self._targets[target]

    def _backend(self, record: DeploymentRecord) -> DeployBackend:
        backend: DeployBackend = self.backend_for(record.backend)
        return backend

    def _need_session(self) -> tuple[Profile, Any]:
        if self.profile is None or self.gateway is None:
            raise InvalidInput("Connect to the registry the model is in first.")
        return self.profile, self.gateway

    def fetch_model(self, model_uri: str, ctx: TaskContext | None = None) -> fetch.LocalModel:
        """The version's files on this machine (downloaded once, with the profile's creds)."""
        profile, gateway = self._need_session()
        ref = fetch.parse_model_uri(model_uri)
        return fetch.fetch(gateway, self.paths.cache_dir, profile.tracking_uri, ref, ctx)

    def serving_path(self, model_uri: str, ctx: TaskContext) -> tuple[str, str]:
        """(local or python-env, the sentence why) for serving `model_uri` on this machine."""
        path = choice.serving_path(self.fetch_model(model_uri, ctx))
        return path.kind, path.reason

    # -- records -------------------------------------------------------------------------------
    def records(self) -> list[DeploymentRecord]:
        """The persisted records, as last seen (no process or network check)."""
        return sorted(self.store.all(), key=lambda r: r.name.casefold())

    def record(self, name: str) -> DeploymentRecord:
        found = self.store.get(name)
        if found is None:
            raise NotFound(f"There is no deployment named {name}.")
        return found

    def refresh(self) -> list[DeploymentRecord]:
        """Every record checked against what really runs (pid, port, /ping); saved."""
        out = []
        for record in self.records():
            out.append(self.status(record))
        return out

    reconcile = refresh  # on start: the same check

    def status(self, record: DeploymentRecord) -> DeploymentRecord:
        try:
            checked = self._backend(record).status(record)
        except ModelHubError as exc:  # e.g. a target unreachable offline: keep what we know
            checked = replace(record, status_detail=f"Could not check: {exc}")
        if checked != record:
            self._save_if_present(checked)
        return checked

    def deployments_of(self, model_name: str) -> dict[int, list[DeploymentRecord]]:
        """version -> its deployments, for the version table's "Deployed by" column."""
        out: dict[int, list[DeploymentRecord]] = {}
        for record in self.records():
            if record.model_name == model_name and record.status != STOPPED:
                out.setdefault(record.version, []).append(record)
        return out

    def alias_state(self, record: DeploymentRecord) -> AliasState | None:
        """Ask the server where the followed alias points now."""
        if not record.alias:
            return None
        _profile, gateway = self._need_session()
        return alias_state(record, gateway.get_model(record.model_name).aliases)

    # -- writes --------------------------------------------------------------------------------
    def create(self, backend: str, name: str, model_uri: str, settings: Mapping[str, str],
               ctx: TaskContext) -> DeploymentRecord:
        """Start a new deployment of `model_uri`; running (answering /ping) when it returns."""
        name = name.strip()
        if not _NAME_RE.match(name):
            raise InvalidInput("A deployment name is 1-63 letters, digits, '.', '_' or '-', "
                               "starting with a letter or digit.")
        if self.store.get(name) is not None:
            raise InvalidInput(f"A deployment named {name} exists already: choose another "
                               "name, or update that deployment.")
        ref = fetch.parse_model_uri(model_uri)
        impl = self.backend_for(backend, settings)
        profile, _ = self._need_session()
        chosen = dict(settings)
        if isinstance(impl, ProcessBackend):
            self._precheck_port(chosen)
            pinned, chosen = self._prepare_process(impl, ref, chosen, ctx)
        else:
            parse_config(chosen.get("config", ""))
            pinned = fetch.ModelRef(ref.name, fetch.resolve_version(self.gateway, ref))
        record = impl.create(name, pinned.uri, chosen, ctx)
        record = replace(record, model_uri=ref.uri if ref.alias else pinned.uri,
                         alias=ref.alias, created_by=self.who, profile_key=profile.cache_key)
        self.store.put(record)
        return self._audit(record, deploy_audit.CREATE, None, record.version)

    def update(self, record: DeploymentRecord, model_uri: str,
               ctx: TaskContext) -> DeploymentRecord:
        """Serve `model_uri` (another version, or where the followed alias points now)."""
        ref = fetch.parse_model_uri(model_uri)
        impl = self._backend(record)
        old_version = record.version
        settings = dict(record.settings)
        if isinstance(impl, ProcessBackend):
            pinned, settings = self._prepare_process(impl, ref, settings, ctx)
        else:
            pinned = fetch.ModelRef(ref.name, fetch.resolve_version(self.gateway, ref))
        try:
            new = impl.update(replace(record, settings=settings), pinned.uri, ctx)
        except DeployFailed as exc:
            self._save_if_present(replace(record, status=FAILED, status_detail=str(exc),
                                          pid=0))
            raise
        new = replace(new, model_uri=ref.uri if ref.alias else pinned.uri, alias=ref.alias)
        self.store.put(new)
        return self._audit(new, deploy_audit.UPDATE, old_version, new.version)

    def restart(self, record: DeploymentRecord, ctx: TaskContext) -> DeploymentRecord:
        """Start a stopped or failed local deployment again, on its port."""
        return self.update(record, record.model_uri, ctx)

    def stop(self, record: DeploymentRecord) -> DeploymentRecord:
        stopped = self._backend(record).stop(record)
        self.store.put(stopped)
        return stopped

    def delete(self, record: DeploymentRecord) -> None:
        self._backend(record).delete(record)
        self.store.remove(record.name)
        self._audit(record, deploy_audit.DELETE, record.version, None)

    def shutdown(self) -> None:
        """Stop this app's servers that are not marked "keep running" (call on quit)."""
        for record in self.records():
            if record.keep_running or record.status != RUNNING or not record.pid:
                continue
            backend = self._backend(record)
            if isinstance(backend, ProcessBackend):
                try:
                    stopped = backend.stop(record)
                except ModelHubError as exc:
                    stopped = replace(record, status_detail=f"Could not stop on quit: {exc}")
                else:
                    stopped = replace(stopped, status_detail="Stopped when the app quit.")
                self._save_if_present(stopped)

    # -- reading a deployment --------------------------------------------------------------------
    def health(self, record: DeploymentRecord) -> Health:
        return self._backend(record).health(record)

    def logs(self, record: DeploymentRecord, lines: int = 200) -> str:
        return self._backend(record).logs(record, lines)

    def stats(self, record: DeploymentRecord) -> RequestStats | None:
        backend = self._backend(record)
        return backend.stats(record) if hasattr(backend, "stats") else None

    def predict(self, record: DeploymentRecord, payload: object) -> Prediction:
        """Send a scoring request, checked first (InvalidInput says where it is wrong)."""
        return self._backend(record).predict(record, validate_payload(payload))

    # -- helpers ---------------------------------------------------------------------------------
    def _precheck_port(self, settings: dict[str, str]) -> None:
        """Port in use: say so before fetching anything."""
        host = settings.get("host") or DEFAULT_HOST
        raw = str(settings.get("port", "")).strip()
        if raw:
            if not raw.isdigit():
                raise InvalidInput(f"The port must be a number, not {raw!r}.")
            process.check_port(host, int(raw))
        else:
            settings["port"] = str(process.free_port(host))

    def _prepare_process(self, impl: ProcessBackend, ref: fetch.ModelRef,
                         settings: dict[str, str], ctx: TaskContext
                         ) -> tuple[fetch.ModelRef, dict[str, str]]:
        """Fetch the version, check it suits the backend; the pinned ref and settings."""
        profile, _ = self._need_session()
        local = self.fetch_model(ref.uri, ctx)
        path = choice.serving_path(local)
        if impl.kind == LOCAL and path.kind != LOCAL:
            raise InvalidInput(path.reason)
        out = dict(settings)
        if impl.kind == PYTHON_ENV:
            out["model_dir"] = str(local.path)
        elif profile.source in ("config", "environment"):
            out["profile"] = profile.name
        else:
            out["tracking_uri"] = profile.tracking_uri
        return local.ref, out

    def _save_if_present(self, record: DeploymentRecord) -> None:
        def edit(records: dict[str, DeploymentRecord]) -> None:
            if record.name in records:
                records[record.name] = record

        self.store.change(edit)

    def _audit(self, record: DeploymentRecord, action: str, from_version: int | None,
               to_version: int | None) -> DeploymentRecord:
        if self.gateway is None or (self.profile is not None
                                    and record.profile_key != self.profile.cache_key):
            return record
        note = deploy_audit.record_deploy_event(
            self.gateway, record.model_name, who=self.who, action=action,
            deployment=record.name, from_version=from_version, to_version=to_version)
        if action == deploy_audit.DELETE or note == record.audit_note:
            return record
        noted = replace(record, audit_note=note)
        self._save_if_present(noted)
        return noted
