"""What changes if a candidate version takes an alias: the promote confirmation's content.

Metrics (the better value marked, direction as in the version table), params that
differ, signature differences read from each version's MLmodel, and which deployments
serve the current holder. Worked out on a worker; the dialog only renders it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.core.lineage import SchemaColumn, VersionLineage, version_lineage
from modelhub_desktop.core.metrics import lower_is_better
from modelhub_desktop.core.registry import RegistryGateway

Side = Literal["current", "candidate", ""]
DeploymentsFor = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class MetricDiff:
    key: str
    current: float | None
    candidate: float | None
    direction: str  # "max" | "min"
    better: Side  # which side is better; "" = equal or not comparable


@dataclass(frozen=True)
class ParamDiff:
    key: str
    current: str | None
    candidate: str | None


@dataclass(frozen=True)
class SignatureDiff:
    """Columns added, removed and retyped (name, old type, new type); `known` False when
    either version's schema could not be read (`note` says why)."""

    added: tuple[SchemaColumn, ...] = ()
    removed: tuple[SchemaColumn, ...] = ()
    retyped: tuple[tuple[str, str, str], ...] = ()
    known: bool = True
    note: str = ""

    @property
    def same(self) -> bool:
        return self.known and not (self.added or self.removed or self.retyped)


@dataclass(frozen=True)
class PromotionPreview:
    model_name: str
    alias: str
    current: ModelVersion | None
    candidate: ModelVersion
    metrics: tuple[MetricDiff, ...]
    params: tuple[ParamDiff, ...]
    inputs: SignatureDiff
    outputs: SignatureDiff
    deployments: tuple[str, ...]


def _finite(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def metric_diffs(current: RunData | None, candidate: RunData | None,
                 directions: Mapping[str, str]) -> list[MetricDiff]:
    """Every metric either run has; the better side by the table's direction for it."""
    a = current.metrics if current else {}
    b = candidate.metrics if candidate else {}
    out = []
    for key in sorted(set(a) | set(b), key=str.casefold):
        direction = directions.get(key) or ("min" if lower_is_better(key) else "max")
        va, vb = a.get(key), b.get(key)
        better: Side = ""
        if _finite(va) and _finite(vb) and va != vb:
            assert va is not None and vb is not None
            cand_wins = vb < va if direction == "min" else vb > va
            better = "candidate" if cand_wins else "current"
        out.append(MetricDiff(key, va, vb, direction, better))
    return out


def param_diffs(current: RunData | None, candidate: RunData | None) -> list[ParamDiff]:
    """Params whose value differs (or that only one side has)."""
    a = current.params if current else {}
    b = candidate.params if candidate else {}
    return [ParamDiff(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b), key=str.casefold)
            if a.get(k) != b.get(k)]


def signature_diff(old: tuple[SchemaColumn, ...], new: tuple[SchemaColumn, ...]
                   ) -> SignatureDiff:
    before = {c.name: c for c in old}
    after = {c.name: c for c in new}
    return SignatureDiff(
        added=tuple(after[n] for n in after if n not in before),
        removed=tuple(before[n] for n in before if n not in after),
        retyped=tuple((n, before[n].type, after[n].type) for n in before
                      if n in after and before[n].type != after[n].type))


def _unknown(current: VersionLineage | None, candidate: VersionLineage) -> str:
    for label, lin in (("the current holder", current), ("the candidate", candidate)):
        if lin is not None and not lin.schema_known:
            return f"Signature of {label} unknown: {lin.schema_problem}"
    return ""


def build_preview(model_name: str, alias: str, current: ModelVersion | None,
                  current_run: RunData | None, candidate: ModelVersion,
                  candidate_run: RunData | None, directions: Mapping[str, str],
                  current_lineage: VersionLineage | None, candidate_lineage: VersionLineage,
                  deployments: list[str]) -> PromotionPreview:
    note = _unknown(current_lineage, candidate_lineage)
    if current is None or current_lineage is None:
        inputs = outputs = SignatureDiff(known=False, note="No version holds the alias yet.")
    elif note:
        inputs = outputs = SignatureDiff(known=False, note=note)
    else:
        inputs = signature_diff(current_lineage.inputs, candidate_lineage.inputs)
        outputs = signature_diff(current_lineage.outputs, candidate_lineage.outputs)
    return PromotionPreview(
        model_name, alias, current, candidate,
        tuple(metric_diffs(current_run, candidate_run, directions)),
        tuple(param_diffs(current_run, candidate_run)), inputs, outputs, tuple(deployments))


def preview(gateway: RegistryGateway, model_name: str, alias: str,
            current: ModelVersion | None, current_run: RunData | None,
            candidate: ModelVersion, candidate_run: RunData | None,
            directions: Mapping[str, str],
            deployments_for: DeploymentsFor | None = None) -> PromotionPreview:
    """(worker) The preview, reading both versions' MLmodel files (runs come from the
    rows the user sees)."""
    cand_lin = version_lineage(gateway, candidate)
    cur_lin = version_lineage(gateway, current) if current is not None else None
    deployments: list[str] = []
    if current is not None and deployments_for is not None:
        deployments = list(deployments_for(model_name, current.version))
    return build_preview(model_name, alias, current, current_run, candidate, candidate_run,
                         directions, cur_lin, cand_lin, deployments)
