"""Two deployments' answers to the same input, compared position by position.

The Try it panel sends one payload to two deployments (say, the candidate and the
champion) and says whether they agree and where they do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class AnswerDiff:
    """How two prediction answers compare."""

    equal: bool
    compared: int  # positions compared
    differing: tuple[str, ...]  # positions that differ, e.g. "[3]" or "[0].label"
    note: str = ""  # why they could not be compared item by item

    def summary(self, limit: int = 8) -> str:
        if self.note:
            return self.note
        if self.equal:
            return f"Equal ({self.compared} value{'s' if self.compared != 1 else ''} compared)."
        shown = ", ".join(self.differing[:limit])
        more = f" and {len(self.differing) - limit} more" if len(self.differing) > limit else ""
        return (f"Differ at {len(self.differing)} of {self.compared} positions: "
                f"{shown}{more}.")


def predictions_of(body: object) -> object:
    """The predictions inside a scoring server's answer (`{"predictions": ...}`)."""
    if isinstance(body, dict) and "predictions" in body:
        return body["predictions"]
    return body


def _leaves(value: object, path: str, out: dict[str, object]) -> None:
    if isinstance(value, dict):
        for key in value:
            _leaves(value[key], f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _leaves(item, f"{path}[{i}]", out)
    else:
        out[path or "value"] = value


def _same(a: object, b: object, rel_tol: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):  # True is not the number 1 here
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        fa, fb = float(a), float(b)
        if math.isnan(fa) and math.isnan(fb):
            return True
        return math.isclose(fa, fb, rel_tol=rel_tol, abs_tol=rel_tol)
    return a == b


def compare_answers(a: object, b: object, rel_tol: float = 1e-9) -> AnswerDiff:
    """Compare two answers' predictions leaf by leaf (numbers within `rel_tol`)."""
    left: dict[str, object] = {}
    right: dict[str, object] = {}
    _leaves(predictions_of(a), "", left)
    _leaves(predictions_of(b), "", right)
    keys = list(left) + [k for k in right if k not in left]
    differing = tuple(k for k in keys
                      if k not in left or k not in right or not _same(left[k], right[k], rel_tol))
    note = ""
    if len(left) != len(right):
        note = (f"Differ: {len(left)} values on the left, {len(right)} on the right"
                + (f" (first difference at {differing[0]})." if differing else "."))
    return AnswerDiff(not differing, len(keys), differing, note)
