"""Read what the checks look at (core/checks.py).

Reads are batched: one model, the candidate and its holder, one `search_runs` for both
runs, the two MLmodel files only when a signature rule asks, the serving input example
only when the smoke rule asks. The smoke test itself is core/smoke_check.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from modelhub_desktop.core.checks import (
    CheckInputs,
    Column,
    Rule,
    ServeSmoke,
    Signature,
    SignatureCompatible,
)
from modelhub_desktop.core.domain import ModelVersion, RegisteredModel
from modelhub_desktop.core.errors import ModelHubError
from modelhub_desktop.core.lineage import artifact_root, version_lineage
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.core.requests import Target

EXAMPLE_FILE = "serving_input_example.json"


def holder_version(model: RegisteredModel, versions: Sequence[ModelVersion] | None,
                   target: Target, candidate: int) -> int | None:
    """The version holding `target` now (for a stage: the newest other version in it)."""
    if target.kind == "alias":
        return model.aliases.get(target.name)
    held = [v.version for v in versions or () if v.current_stage == target.name
            and v.version != candidate]
    return max(held) if held else None


def signature_of(gw: RegistryGateway, version: ModelVersion) -> Signature:
    lineage = version_lineage(gw, version)
    return Signature(tuple(Column(c.name, c.type) for c in lineage.inputs),
                     lineage.schema_known, lineage.schema_problem)


def serving_example(gw: RegistryGateway, version: ModelVersion) -> tuple[object | None, str]:
    """(the parsed serving input example, "") or (None, why there is none)."""
    try:
        root = artifact_root(gw, version).rstrip("/")
        names = {e.name for e in gw.list_artifacts(root)}
        if EXAMPLE_FILE not in names:
            return None, f"The version has no {EXAMPLE_FILE} to send."
        return json.loads(gw.read_artifact_text(f"{root}/{EXAMPLE_FILE}")), ""
    except ModelHubError as exc:
        return None, f"The serving input example could not be read: {exc}"
    except ValueError:
        return None, f"The version's {EXAMPLE_FILE} is not valid JSON."


def gather(gw: RegistryGateway, model_name: str, version: int, target: Target,
           rules: Sequence[Rule]) -> CheckInputs:
    """The inputs for `rules` on `version` going to `target`, read from the server."""
    model = gw.get_model(model_name)
    candidate = gw.get_version(model_name, version)
    versions = gw.list_versions(model_name) if target.kind == "stage" else None
    held = holder_version(model, versions, target, version)
    holder = gw.get_version(model_name, held) if held is not None else None
    runs = gw.get_runs([v.run_id for v in (candidate, holder) if v is not None and v.run_id])
    cand_sig = holder_sig = None
    if any(isinstance(r, SignatureCompatible) for r in rules):
        cand_sig = signature_of(gw, candidate)
        if holder is not None and holder.version != version:
            holder_sig = signature_of(gw, holder)
    example: object | None = None
    why = ""
    if any(isinstance(r, ServeSmoke) for r in rules):
        example, why = serving_example(gw, candidate)
    return CheckInputs(candidate, runs.get(candidate.run_id), target.label, holder,
                       runs.get(holder.run_id) if holder else None, cand_sig, holder_sig,
                       example, why)
