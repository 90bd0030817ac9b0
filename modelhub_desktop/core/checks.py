"""Automated checks on a promotion candidate, each answering pass, fail or skipped with a
sentence a reviewer can act on.

Rules are written one per line (per profile, and per model; see core/approval_policy.py):

    metric auc >= 0.8               a metric threshold (>=, >, <=, <, ==)
    not-worse auc 0.02              not worse than the current holder by more than 0.02
                                    (direction from the metric's name, as in the table)
    tag validation_status = passed  a required version tag
    signature                       signature present, compatible with the holder's
                                    (no input column removed or retyped)
    run-finished                    the source run finished
    smoke                           serve the candidate, send its serving input example,
                                    expect a well-formed answer

`evaluate` is pure: what it needs is gathered first into a `CheckInputs`
(core/check_inputs.py), and the smoke test is a callable handed in (core/smoke_check.py).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.core.errors import InvalidInput
from modelhub_desktop.core.metrics import lower_is_better

Status = Literal["pass", "fail", "skipped"]


@dataclass(frozen=True)
class CheckResult:
    id: str  # the rule's text: stable, so an override can name it
    title: str
    status: Status
    message: str


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class Signature:
    """A version's input schema as far as it is known (`known` False: unreadable)."""

    inputs: tuple[Column, ...] = ()
    known: bool = True
    problem: str = ""


#: The smoke test: serves the candidate and sends the payload; returns (status, sentence),
#: "skipped" when this machine cannot serve that kind of model.
SmokeFn = Callable[[ModelVersion, object], tuple[Status, str]]


@dataclass(frozen=True)
class CheckInputs:
    """Everything the rules look at, read beforehand."""

    candidate: ModelVersion
    candidate_run: RunData | None
    target_label: str
    holder: ModelVersion | None = None
    holder_run: RunData | None = None
    candidate_signature: Signature | None = None
    holder_signature: Signature | None = None
    #: the serving input example (parsed JSON), None when the version has none
    serving_example: object | None = None
    example_problem: str = ""


# -- rules -----------------------------------------------------------------------------------

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq,
}


@dataclass(frozen=True)
class MetricThreshold:
    metric: str
    op: str
    value: float

    @property
    def text(self) -> str:
        return f"metric {self.metric} {self.op} {self.value:g}"

    @property
    def title(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


@dataclass(frozen=True)
class NotWorse:
    metric: str
    tolerance: float

    @property
    def text(self) -> str:
        return f"not-worse {self.metric} {self.tolerance:g}"

    @property
    def title(self) -> str:
        return f"{self.metric} not worse than the current holder by more than {self.tolerance:g}"


@dataclass(frozen=True)
class RequiredTag:
    key: str
    value: str

    @property
    def text(self) -> str:
        return f"tag {self.key} = {self.value}"

    @property
    def title(self) -> str:
        return f"Tag {self.key} = {self.value}"


@dataclass(frozen=True)
class SignatureCompatible:
    text = "signature"
    title = "Signature present and compatible"


@dataclass(frozen=True)
class RunFinished:
    text = "run-finished"
    title = "Source run finished"


@dataclass(frozen=True)
class ServeSmoke:
    text = "smoke"
    title = "Serves and predicts"


Rule = MetricThreshold | NotWorse | RequiredTag | SignatureCompatible | RunFinished | ServeSmoke

_METRIC = re.compile(r"^metric\s+(\S+)\s*(>=|<=|==|>|<)\s*(\S+)$")
_NOT_WORSE = re.compile(r"^not-worse\s+(\S+)\s+(\S+)$")
_TAG = re.compile(r"^tag\s+(\S+)\s*=\s*(.*)$")


def parse_rule(line: str) -> Rule:
    """One rule from its text (see the module doc); InvalidInput says what is wrong."""
    text = " ".join(line.split())
    try:
        if m := _METRIC.match(text):
            return MetricThreshold(m[1], m[2], _number(m[3]))
        if m := _NOT_WORSE.match(text):
            return NotWorse(m[1], abs(_number(m[2])))
        if m := _TAG.match(text):
            return RequiredTag(m[1], m[2].strip())
    except ValueError:
        raise InvalidInput(f"Rule {line!r}: the number is not a number.") from None
    simple: dict[str, Rule] = {"signature": SignatureCompatible(),
                               "run-finished": RunFinished(), "smoke": ServeSmoke()}
    if text in simple:
        return simple[text]
    raise InvalidInput(
        f"Rule {line!r} is not understood. Write one of: 'metric auc >= 0.8', "
        "'not-worse auc 0.02', 'tag validation_status = passed', 'signature', "
        "'run-finished', 'smoke'.")


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def parse_rules(lines: Iterable[str]) -> list[Rule]:
    """Rules from lines of text; blank lines and `#` comments are skipped."""
    out: list[Rule] = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(parse_rule(line))
    return out


# -- evaluation ------------------------------------------------------------------------------

def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _metric(run: RunData | None, key: str) -> float | None:
    if run is None:
        return None
    value = run.metrics.get(key)
    return value if value is not None and math.isfinite(value) else None


def _threshold(rule: MetricThreshold, inp: CheckInputs) -> tuple[Status, str]:
    if inp.candidate_run is None:
        return "fail", f"The candidate has no source run, so {rule.metric} is unknown."
    value = _metric(inp.candidate_run, rule.metric)
    if value is None:
        return "fail", f"The candidate's run has no {rule.metric} metric."
    ok = _OPS[rule.op](value, rule.value)
    return ("pass" if ok else "fail"), (
        f"{rule.metric} is {_fmt(value)}, " + ("meets" if ok else "does not meet")
        + f" {rule.op} {rule.value:g}.")


def _not_worse(rule: NotWorse, inp: CheckInputs) -> tuple[Status, str]:
    if inp.holder is None:
        return "skipped", f"Nothing holds {inp.target_label} yet: there is nothing to compare with."
    if inp.holder.version == inp.candidate.version:
        return "skipped", f"v{inp.candidate.version} already holds {inp.target_label}."
    cand, held = _metric(inp.candidate_run, rule.metric), _metric(inp.holder_run, rule.metric)
    if held is None:
        return "skipped", (f"The current holder v{inp.holder.version} has no {rule.metric}: "
                           "there is nothing to compare with.")
    if cand is None:
        return "fail", f"The candidate's run has no {rule.metric} metric."
    lower = lower_is_better(rule.metric)
    worse_by = (cand - held) if lower else (held - cand)
    direction = "lower" if lower else "higher"
    said = (f"{rule.metric} {_fmt(cand)} vs {_fmt(held)} for v{inp.holder.version} "
            f"({direction} is better)")
    if worse_by > rule.tolerance:
        return "fail", f"{said}: worse by {_fmt(worse_by)}, more than {rule.tolerance:g}."
    return "pass", f"{said}: within {rule.tolerance:g}."


def _tag(rule: RequiredTag, inp: CheckInputs) -> tuple[Status, str]:
    value = inp.candidate.tags.get(rule.key)
    if value is None:
        return "fail", f"The version has no tag {rule.key}."
    if value != rule.value:
        return "fail", f"Tag {rule.key} is {value!r}, not {rule.value!r}."
    return "pass", f"Tag {rule.key} is {rule.value!r}."


def signature_differences(old: Sequence[Column], new: Sequence[Column]) -> tuple[
        list[str], list[str]]:
    """(removed, retyped) input columns going from `old` to `new`."""
    now = {c.name: c.type for c in new}
    removed = [c.name for c in old if c.name not in now]
    retyped = [f"{c.name} ({c.type} -> {now[c.name]})" for c in old
               if c.name in now and now[c.name] != c.type]
    return removed, retyped


def _signature(inp: CheckInputs) -> tuple[Status, str]:
    sig = inp.candidate_signature
    if sig is None or not sig.known:
        return "fail", (sig.problem if sig and sig.problem else
                        "The candidate's signature could not be read.")
    if not sig.inputs:
        return "fail", "The candidate was logged without a signature."
    held = inp.holder_signature
    if inp.holder is None or inp.holder.version == inp.candidate.version:
        return "pass", f"Signature with {len(sig.inputs)} input columns; no holder to compare."
    if held is None or not held.known or not held.inputs:
        return "pass", (f"Signature with {len(sig.inputs)} input columns; the holder "
                        f"v{inp.holder.version} has no readable signature to compare.")
    removed, retyped = signature_differences(held.inputs, sig.inputs)
    if removed or retyped:
        parts = ([f"removed {', '.join(removed)}"] if removed else []) + (
            [f"retyped {', '.join(retyped)}"] if retyped else [])
        return "fail", (f"Incompatible with v{inp.holder.version}'s inputs: "
                        f"{'; '.join(parts)}.")
    return "pass", f"Compatible with v{inp.holder.version}'s inputs ({len(sig.inputs)} columns)."


def _run_finished(inp: CheckInputs) -> tuple[Status, str]:
    run = inp.candidate_run
    if not inp.candidate.run_id:
        return "skipped", "The version has no source run."
    if run is None:
        return "fail", f"The source run {inp.candidate.run_id} no longer exists."
    if run.deleted:
        return "fail", f"The source run {run.run_id} was deleted."
    if run.status != "FINISHED":
        return "fail", f"The source run is {run.status or 'in an unknown state'}, not FINISHED."
    return "pass", "The source run finished."


def _smoke(inp: CheckInputs, smoke: SmokeFn | None) -> tuple[Status, str]:
    if smoke is None:
        return "skipped", "No deploy backend is available to serve the candidate."
    if inp.serving_example is None:
        return "skipped", (inp.example_problem
                           or "The version has no serving input example to send.")
    return smoke(inp.candidate, inp.serving_example)


def evaluate(rule: Rule, inp: CheckInputs, smoke: SmokeFn | None = None) -> CheckResult:
    """One rule's result; a rule that cannot be judged is skipped, never an exception."""
    if isinstance(rule, MetricThreshold):
        status, msg = _threshold(rule, inp)
    elif isinstance(rule, NotWorse):
        status, msg = _not_worse(rule, inp)
    elif isinstance(rule, RequiredTag):
        status, msg = _tag(rule, inp)
    elif isinstance(rule, SignatureCompatible):
        status, msg = _signature(inp)
    elif isinstance(rule, RunFinished):
        status, msg = _run_finished(inp)
    else:
        status, msg = _smoke(inp, smoke)
    return CheckResult(rule.text, rule.title, status, msg)


def run_checks(rules: Iterable[Rule], inp: CheckInputs,
               smoke: SmokeFn | None = None) -> list[CheckResult]:
    return [evaluate(rule, inp, smoke) for rule in rules]
