"""What a version is made of: its signature (schema) and the logged model behind it.

Only the small `MLmodel` file is downloaded, never the model itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelhub_desktop.core.domain import ModelVersion, Profile, RunData
from modelhub_desktop.core.errors import (
    AuthFailed,
    MissingLibrary,
    ModelHubError,
    NotFound,
    PermissionDenied,
    Unreachable,
)
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.registry import RegistryGateway


@dataclass(frozen=True)
class SchemaColumn:
    name: str
    type: str
    required: bool = True


@dataclass(frozen=True)
class VersionLineage:
    """What the detail pane shows about a version's model files.

    `schema_known` is False when the MLmodel file could not be read: the schema is then
    unknown (not empty), and `schema_problem` says why in words.
    """

    inputs: tuple[SchemaColumn, ...] = ()
    outputs: tuple[SchemaColumn, ...] = ()
    flavors: tuple[str, ...] = ()
    logged_model_id: str = ""
    logged_model_name: str = ""
    artifact_location: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)
    schema_known: bool = True
    schema_problem: str = ""


class NoMLmodel(NotFound):
    """The model folder was listed and holds no MLmodel file."""


def _columns(raw: Any) -> tuple[SchemaColumn, ...]:
    if not raw:
        return ()
    items = json.loads(raw) if isinstance(raw, str) else raw
    out = []
    for i, col in enumerate(items or []):
        ctype = col.get("type", "")
        if ctype == "tensor":
            ctype = f"tensor {col.get('tensor-spec', {}).get('dtype', '')}"
        out.append(SchemaColumn(str(col.get("name", f"#{i}")), str(ctype),
                                bool(col.get("required", True))))
    return tuple(out)


def parse_mlmodel(text: str) -> tuple[tuple[SchemaColumn, ...], tuple[SchemaColumn, ...],
                                      tuple[str, ...]]:
    """(inputs, outputs, flavors) from an MLmodel YAML document."""
    import yaml

    doc = yaml.safe_load(text) or {}
    sig = doc.get("signature") or {}
    return _columns(sig.get("inputs")), _columns(sig.get("outputs")), tuple(doc.get("flavors", {}))


def version_lineage(gateway: RegistryGateway, version: ModelVersion) -> VersionLineage:
    """Signature and logged-model facts for a version (problems are reported, not raised)."""
    problems: list[str] = []
    logged_id = version.model_id
    logged_name = location = ""
    if logged_id:
        try:
            logged = gateway.get_logged_model(logged_id)
            logged_name, location = logged.name, logged.artifact_location
        except ModelHubError as err:  # older servers have no logged models
            problems.append(f"Logged model {logged_id} is not available: {err}")
    source = location or version.source
    inputs: tuple[SchemaColumn, ...] = ()
    outputs: tuple[SchemaColumn, ...] = ()
    flavors: tuple[str, ...] = ()
    schema_problem = ""
    if not source:
        schema_problem = "Schema unknown: the version does not say where its files are."
    else:
        try:
            inputs, outputs, flavors = parse_mlmodel(read_mlmodel(gateway, source))
        except ModelHubError as err:
            schema_problem = schema_problem_text(err, source)
        except Exception as exc:  # noqa: BLE001 - a file that is not valid YAML
            schema_problem = (f"Schema unknown: the MLmodel file at {source} could not be "
                              f"parsed ({type(exc).__name__}: {' '.join(str(exc).split())}).")
    if schema_problem:
        problems.append(schema_problem)
    elif not inputs:
        problems.append("This model was logged without a signature.")
    return VersionLineage(inputs, outputs, flavors, logged_id, logged_name, location,
                          tuple(problems), schema_known=not schema_problem,
                          schema_problem=schema_problem)


def read_mlmodel(gateway: RegistryGateway, source: str) -> str:
    """The MLmodel file of the model folder `source`.

    The folder is listed first: a missing file then reads as "not there" rather than as
    whatever error the store's download client makes of it.
    """
    folder = source.rstrip("/")
    names = {entry.name for entry in gateway.list_artifacts(folder)}
    if "MLmodel" not in names:
        raise NoMLmodel(f"No MLmodel file at {folder}.")
    return gateway.read_artifact_text(folder + "/MLmodel")


def schema_problem_text(err: ModelHubError, source: str) -> str:
    """Why the schema is unknown, as one sentence or two for the detail pane."""
    if isinstance(err, NoMLmodel):
        return (f"Schema unknown: there is no MLmodel file at {source.rstrip('/')}. The "
                "model's files were never logged there, or they have been deleted.")
    if isinstance(err, (MissingLibrary, NotFound)):
        return f"Schema unknown: {err}"
    if isinstance(err, Unreachable):
        return f"Schema unknown: the artifact store cannot be reached. {err}"
    if isinstance(err, (AuthFailed, PermissionDenied)):
        return f"Schema unknown: the artifact store refused the credentials. {err}"
    return f"Schema unknown: the model's MLmodel file could not be read. {err}"


def mlflow_ui_url(profile: Profile, run: RunData | None) -> str:
    """The run's page in the MLflow web UI ('' for embedded stores without a UI address)."""
    if run is None or run.deleted:  # the MLflow UI shows no page for a deleted run
        return ""
    base = profile.ui_url or (profile.tracking_uri if profile.is_remote else "")
    if not base:
        return ""
    return f"{base.rstrip('/')}/#/experiments/{run.experiment_id}/runs/{run.run_id}"


def artifact_root(gateway: RegistryGateway, version: ModelVersion) -> str:
    """Where the version's files live (the logged model's folder for MLflow 3 models)."""
    if version.model_id:
        return gateway.get_logged_model(version.model_id).artifact_location
    return version.source


def download_version_artifacts(
    gateway: RegistryGateway, version: ModelVersion, dest_dir: Path,
    ctx: TaskContext | None = None,
) -> Path:
    """Save the version's files under `dest_dir/<model>-v<version>`, file by file so that
    progress shows and a cancel stops it (a cancelled download leaves nothing behind)."""
    import shutil

    root = artifact_root(gateway, version).rstrip("/")
    files: list[str] = []
    pending = [""]
    while pending:
        folder = pending.pop()
        for entry in gateway.list_artifacts(f"{root}/{folder}" if folder else root):
            path = f"{folder}/{entry.name}" if folder else entry.name
            (pending if entry.is_dir else files).append(path)
    if not files:
        raise NotFound(f"There are no files at {root}: the model's files were never logged "
                       "there, or they have been deleted.")
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in version.model_name)
    target = Path(dest_dir) / f"{safe}-v{version.version}"
    try:
        for i, rel in enumerate(sorted(files)):
            if ctx is not None:
                ctx.check()
                ctx.progress(i, len(files), rel)
            out_dir = target / Path(rel).parent
            out_dir.mkdir(parents=True, exist_ok=True)
            gateway.download_artifact(f"{root}/{rel}", out_dir)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    if ctx is not None:
        ctx.progress(len(files), len(files), "done")
    return target
