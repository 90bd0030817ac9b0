"""Each connection profile's review policy: approvals required, who approves on a server
without user accounts, and the check rules for all models and per model.

Kept in `approval-policies.json` in the app's config folder, keyed by profile name, as
plain text rules (core/checks.py) so that a team can copy a policy between machines.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from modelhub_desktop.core.checks import Rule, parse_rules
from modelhub_desktop.core.errors import InvalidInput

log = logging.getLogger(__name__)

FILE_NAME = "approval-policies.json"
DEFAULT_RULES = ("signature", "run-finished")


@dataclass(frozen=True)
class ApprovalPolicy:
    required_approvals: int = 1
    #: approvers where the server has no user accounts; empty = anyone but the requester
    approvers: tuple[str, ...] = ()
    rules: tuple[str, ...] = DEFAULT_RULES
    model_rules: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def rule_lines(self, model_name: str) -> list[str]:
        """The profile's rules, then the model's own (a model rule with the same text as
        a profile rule is not repeated)."""
        lines = list(self.rules)
        lines += [r for r in self.model_rules.get(model_name, ()) if r not in lines]
        return lines

    def rules_for(self, model_name: str) -> list[Rule]:
        return parse_rules(self.rule_lines(model_name))

    def validate(self) -> ApprovalPolicy:
        if self.required_approvals < 1:
            raise InvalidInput("At least one approval is required.")
        parse_rules(self.rules)
        for lines in self.model_rules.values():
            parse_rules(lines)
        return self


def rule_problems(lines: Sequence[str]) -> list[str]:
    """For text typed one rule per line: a sentence per wrong line, naming its number (blank
    lines and `#` comments are fine)."""
    problems = []
    for number, line in enumerate(lines, start=1):
        try:
            parse_rules([line])
        except InvalidInput as exc:
            problems.append(f"Line {number}: {exc}")
    return problems


def rule_lines(text: str) -> tuple[str, ...]:
    """The rules kept from an edited text: stripped, blank lines dropped (comments kept, so
    that a policy file reads as its author wrote it)."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def approver_names(text: str) -> tuple[str, ...]:
    """User names from a comma- or line-separated list, in order, without repeats."""
    names = (n.strip() for n in text.replace("\n", ",").split(","))
    return tuple(dict.fromkeys(n for n in names if n))


def _from_json(raw: object) -> ApprovalPolicy:
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    models = raw.get("model_rules", {})
    return ApprovalPolicy(
        int(raw.get("required_approvals", 1)),
        tuple(str(a) for a in raw.get("approvers", ())),
        tuple(str(r) for r in raw.get("rules", DEFAULT_RULES)),
        {str(k): tuple(str(r) for r in v) for k, v in dict(models).items()},
    )


def _to_json(policy: ApprovalPolicy) -> dict[str, object]:
    return {"required_approvals": policy.required_approvals,
            "approvers": list(policy.approvers), "rules": list(policy.rules),
            "model_rules": {k: list(v) for k, v in policy.model_rules.items()}}


class PolicyStore:
    """Policies by profile name in one JSON file; a broken file reads as defaults."""

    def __init__(self, config_dir: Path) -> None:
        self.path = Path(config_dir) / FILE_NAME

    def _all(self) -> dict[str, object]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("approval policies unreadable (%s): using defaults", exc)
            return {}
        return raw if isinstance(raw, dict) else {}

    def get(self, profile_name: str) -> ApprovalPolicy:
        raw = self._all().get(profile_name)
        if raw is None:
            return ApprovalPolicy()
        try:
            return _from_json(raw)
        except (TypeError, ValueError) as exc:
            log.warning("approval policy of %s unreadable (%s)", profile_name, exc)
            return ApprovalPolicy()

    def set(self, profile_name: str, policy: ApprovalPolicy) -> None:
        policy.validate()
        data = self._all()
        data[profile_name] = _to_json(policy)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.path)
