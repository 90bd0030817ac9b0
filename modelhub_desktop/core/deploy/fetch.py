"""A registered version's model files on this machine, fetched once per version.

The app fetches a version before it starts serving it: one download with the profile's
own credentials (through the gateway), then the serving process finds the files in the
cache and starts without talking to the server. A version's files never change, so the
cache is keyed by tracking URI, model name and version.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from modelhub_desktop.core.artifact_store import ArtifactEntry
from modelhub_desktop.core.domain import LoggedModel, ModelVersion, RegisteredModel
from modelhub_desktop.core.errors import InvalidInput, ModelHubError, NotFound
from modelhub_desktop.core.progress import TaskContext

_URI_RE = re.compile(r"^models:/(?P<name>.+?)(?:/(?P<version>\d+)|@(?P<alias>[^/@]+))/?$")
#: Marks a completely fetched model folder (a crash mid-download leaves none).
DONE_MARK = ".modelhub-fetched"


@dataclass(frozen=True)
class ModelRef:
    """`models:/<name>/<version>` or `models:/<name>@<alias>`, parsed."""

    name: str
    version: int | None = None
    alias: str = ""

    @property
    def uri(self) -> str:
        tail = f"/{self.version}" if self.version is not None else f"@{self.alias}"
        return f"models:/{self.name}{tail}"

    def pinned(self, version: int) -> ModelRef:
        return ModelRef(self.name, version)


def parse_model_uri(uri: str) -> ModelRef:
    """Read a registry URI; InvalidInput with the expected forms otherwise."""
    match = _URI_RE.match(uri.strip())
    if not match:
        raise InvalidInput(
            f"{uri!r} is not a registered model version: use models:/<name>/<version> "
            "or models:/<name>@<alias>."
        )
    version = match.group("version")
    return ModelRef(match.group("name"), int(version) if version else None,
                    match.group("alias") or "")


class ModelSource(Protocol):
    """What fetching needs from a gateway (RegistryGateway has it)."""

    def get_model(self, name: str) -> RegisteredModel: ...
    def get_version(self, model_name: str, version: int) -> ModelVersion: ...
    def get_logged_model(self, model_id: str) -> LoggedModel: ...
    def list_artifacts(self, uri: str) -> list[ArtifactEntry]: ...
    def download_artifact(self, uri: str, dst_dir: Path) -> Path: ...


@dataclass(frozen=True)
class LocalModel:
    """A fetched version: its folder and what its MLmodel file says."""

    ref: ModelRef  # always pinned to a version
    path: Path
    flavors: tuple[str, ...]
    loader_module: str  # python_function's loader_module; "" when there is no pyfunc flavor


def cache_dir(cache_root: Path, tracking_uri: str, name: str, version: int) -> Path:
    """Where version `version` of `name` from `tracking_uri` is kept."""
    key = f"{tracking_uri.rstrip('/')}\n{name}\n{version}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return cache_root / "models" / digest


def resolve_version(source: ModelSource, ref: ModelRef) -> int:
    """The version `ref` points to now (an alias is looked up on the server)."""
    if ref.version is not None:
        return ref.version
    model = source.get_model(ref.name)
    if ref.alias not in model.aliases:
        known = ", ".join(f"@{a}" for a in sorted(model.aliases)) or "none"
        raise NotFound(f"{ref.name} has no alias @{ref.alias} (aliases: {known}).")
    return model.aliases[ref.alias]


def cached(cache_root: Path, tracking_uri: str, ref: ModelRef) -> LocalModel | None:
    """The fetched files of a pinned `ref`, if they are complete."""
    if ref.version is None:
        return None
    folder = cache_dir(cache_root, tracking_uri, ref.name, ref.version)
    if not (folder / DONE_MARK).exists() or not (folder / "MLmodel").exists():
        return None
    flavors, loader = read_flavors(folder / "MLmodel")
    return LocalModel(ref, folder, flavors, loader)


def fetch(source: ModelSource, cache_root: Path, tracking_uri: str, ref: ModelRef,
          ctx: TaskContext | None = None) -> LocalModel:
    """The version's files on this machine: from the cache, else downloaded into it."""
    version = resolve_version(source, ref)
    pinned = ref.pinned(version)
    found = cached(cache_root, tracking_uri, pinned)
    if found is not None:
        return found
    mv = source.get_version(ref.name, version)
    location = mv.source
    if mv.model_id:
        try:
            location = source.get_logged_model(mv.model_id).artifact_location or location
        except ModelHubError:
            pass  # an older server: the version's own source says where the files are
    if not location:
        raise NotFound(f"{pinned.uri} does not say where its files are.")
    if ctx is not None:
        ctx.check()
        ctx.progress(0, 1, f"Fetching {pinned.uri}")
    folder = location.rstrip("/")
    names = {e.name for e in source.list_artifacts(folder)}
    if "MLmodel" not in names:
        raise NotFound(f"{pinned.uri} cannot be served: there is no MLmodel file at {folder}.")
    target = cache_dir(cache_root, tracking_uri, ref.name, version)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".fetch-", dir=target.parent))
    try:
        got = source.download_artifact(folder, tmp)
        (got / DONE_MARK).write_text(pinned.uri + "\n", encoding="utf-8")
        if target.exists():  # fetched by someone else meanwhile, or a leftover
            shutil.rmtree(target, ignore_errors=True)
        os.replace(got, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if ctx is not None:
        ctx.progress(1, 1, f"Fetched {pinned.uri}")
    flavors, loader = read_flavors(target / "MLmodel")
    return LocalModel(pinned, target, flavors, loader)


def read_flavors(mlmodel: Path) -> tuple[tuple[str, ...], str]:
    """(flavor names, python_function loader module) from an MLmodel file."""
    import yaml

    try:
        doc = yaml.safe_load(mlmodel.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"The MLmodel file {mlmodel} could not be read: {exc}") from None
    flavors = doc.get("flavors") if isinstance(doc, dict) else None
    if not isinstance(flavors, dict):
        return (), ""
    pyfunc = flavors.get("python_function")
    loader = str(pyfunc.get("loader_module", "")) if isinstance(pyfunc, dict) else ""
    if isinstance(pyfunc, dict) and not loader:
        loader = "mlflow.pyfunc.model"
    return tuple(str(f) for f in flavors), loader
