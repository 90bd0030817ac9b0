"""What changes when a deployment switches versions: the two source runs' metrics.

The confirmation of "Update to v3" (an alias that moved, or a version picked) shows
them side by side, so the switch is decided on numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelhub_desktop.core.domain import RunData


@dataclass(frozen=True)
class MetricDelta:
    key: str
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old


def metric_differences(old: RunData | None, new: RunData | None) -> list[MetricDelta]:
    """Every metric of either run, old next to new (missing values as None), by key."""
    left = old.metrics if old is not None else {}
    right = new.metrics if new is not None else {}
    return [MetricDelta(k, left.get(k), right.get(k)) for k in sorted(set(left) | set(right))]
