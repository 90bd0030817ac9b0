"""What a version is made of: its signature (schema) and the logged model behind it.

Only the small `MLmodel` file is downloaded, never the model itself.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelhub_desktop.core.domain import ModelVersion, Profile, RunData
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.registry import RegistryGateway, translate_error


@dataclass(frozen=True)
class SchemaColumn:
    name: str
    type: str
    required: bool = True


@dataclass(frozen=True)
class VersionLineage:
    inputs: tuple[SchemaColumn, ...] = ()
    outputs: tuple[SchemaColumn, ...] = ()
    flavors: tuple[str, ...] = ()
    logged_model_id: str = ""
    logged_model_name: str = ""
    artifact_location: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)


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
    gateway.connect()
    problems: list[str] = []
    logged_id = version.model_id
    logged_name = location = ""
    if logged_id:
        try:
            with gateway._call("get_logged_model"):
                lm = gateway._tracking.get_logged_model(logged_id)
            logged_name, location = lm.name or "", lm.artifact_location or ""
        except Exception as exc:  # noqa: BLE001 - older servers have no logged models
            problems.append(f"Logged model not available: {exc}")
    source = location or version.source
    inputs: tuple[SchemaColumn, ...] = ()
    outputs: tuple[SchemaColumn, ...] = ()
    flavors: tuple[str, ...] = ()
    if source:
        try:
            inputs, outputs, flavors = parse_mlmodel(_read_mlmodel(gateway, source))
        except Exception as exc:  # noqa: BLE001 - shown to the user as a sentence
            problems.append(f"Could not read the model's MLmodel file: "
                            f"{translate_error(exc, ' reading the model files')}")
    if source and not inputs and not problems:
        problems.append("This model was logged without a signature.")
    return VersionLineage(inputs, outputs, flavors, logged_id, logged_name, location,
                          tuple(problems))


def _read_mlmodel(gateway: RegistryGateway, source: str) -> str:
    import mlflow.artifacts

    with tempfile.TemporaryDirectory() as tmp:
        path = mlflow.artifacts.download_artifacts(
            artifact_uri=source.rstrip("/") + "/MLmodel", dst_path=tmp,
            tracking_uri=gateway.profile.tracking_uri,
        )
        return Path(path).read_text(encoding="utf-8")


def mlflow_ui_url(profile: Profile, run: RunData | None) -> str:
    """The run's page in the MLflow web UI ('' for embedded stores without a UI address)."""
    if run is None:
        return ""
    base = profile.ui_url or (profile.tracking_uri if profile.is_remote else "")
    if not base:
        return ""
    return f"{base.rstrip('/')}/#/experiments/{run.experiment_id}/runs/{run.run_id}"


def artifact_root(gateway: RegistryGateway, version: ModelVersion) -> str:
    """Where the version's files live (the logged model's folder for MLflow 3 models)."""
    if version.model_id:
        gateway.connect()
        with gateway._call("get_logged_model"):
            return str(gateway._tracking.get_logged_model(version.model_id).artifact_location)
    return version.source


def download_version_artifacts(
    gateway: RegistryGateway, version: ModelVersion, dest_dir: Path,
    ctx: TaskContext | None = None,
) -> Path:
    """Save the version's files under `dest_dir/<model>-v<version>`, file by file so that
    progress shows and a cancel stops it (a cancelled download leaves nothing behind)."""
    import shutil

    import mlflow.artifacts

    root = artifact_root(gateway, version).rstrip("/")
    uri = gateway.profile.tracking_uri
    files: list[str] = []
    pending = [""]
    while pending:
        folder = pending.pop()
        listing = mlflow.artifacts.list_artifacts(
            artifact_uri=f"{root}/{folder}" if folder else root, tracking_uri=uri)
        for info in listing:
            path = f"{folder}/{info.path.split('/')[-1]}" if folder else info.path.split("/")[-1]
            (pending if info.is_dir else files).append(path)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in version.model_name)
    target = Path(dest_dir) / f"{safe}-v{version.version}"
    try:
        for i, rel in enumerate(sorted(files)):
            if ctx is not None:
                ctx.check()
                ctx.progress(i, len(files), rel)
            out_dir = target / Path(rel).parent
            out_dir.mkdir(parents=True, exist_ok=True)
            mlflow.artifacts.download_artifacts(artifact_uri=f"{root}/{rel}",
                                                dst_path=str(out_dir), tracking_uri=uri)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    if ctx is not None:
        ctx.progress(len(files), len(files), "done")
    return target
