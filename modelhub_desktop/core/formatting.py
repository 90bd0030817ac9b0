"""Human-readable text for timestamps, durations and values (shared by views and reports)."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlparse


def fmt_ts(ms: int | None) -> str:
    """Epoch milliseconds -> local 'YYYY-MM-DD HH:MM:SS' (empty for missing)."""
    if not ms:
        return ""
    return datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def fmt_duration(ms: int | None) -> str:
    if ms is None or ms < 0:
        return ""
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {sec} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def fmt_ago(ms: int | None, now_ms: int) -> str:
    if not ms:
        return "never"
    delta = max(0, (now_ms - ms) // 1000)
    if delta < 60:
        return "just now"
    if delta < 3600:
        return f"{delta // 60} min ago"
    if delta < 86400:
        return f"{delta // 3600} h ago"
    return f"{delta // 86400} days ago"


#: How MLflow stores +/-inf (the float maximum): shown and ranked as infinities.
FLOAT_MAX = sys.float_info.max
#: Most significant digits a metric cell shows.
MAX_DIGITS = 6


def metric_value(value: float) -> float:
    """A metric value as logged: MLflow's stand-ins for +/-inf become infinities again."""
    if value >= FLOAT_MAX:
        return math.inf
    if value <= -FLOAT_MAX:
        return -math.inf
    return value


def digits_needed(value: float, most: int = MAX_DIGITS) -> int:
    """Significant digits (1..`most`) that show a finite `value` as `most` digits would."""
    mantissa = f"{abs(value):.{most - 1}e}".partition("e")[0].replace(".", "")
    return max(1, len(mantissa.rstrip("0")))


@dataclass(frozen=True)
class NumberFormat:
    """One way to write every number of a column: the same significant digits for each
    cell, in scientific notation when the column's magnitudes call for it."""

    digits: int = MAX_DIGITS
    scientific: bool = False

    def __call__(self, value: float | None) -> str:
        if value is None:
            return ""
        value = metric_value(value)
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "\u221e" if value > 0 else "\u2212\u221e"
        if self.scientific:
            return f"{value:.{self.digits - 1}e}"
        exponent = int(f"{value:.{self.digits - 1}e}".partition("e")[2])
        return f"{value:.{max(0, self.digits - 1 - exponent)}f}"


@dataclass
class NumberStats:
    """What a column's number format depends on, mergeable as values arrive in pages."""

    digits: int = 1
    largest: float = 0.0  # largest magnitude
    smallest: float = math.inf  # smallest non-zero magnitude

    def add(self, value: float) -> None:
        if not math.isfinite(value):
            return
        magnitude = abs(value)
        if magnitude > self.largest:
            self.largest = magnitude
        if 0 < magnitude < self.smallest:
            self.smallest = magnitude
        if self.digits < MAX_DIGITS:
            self.digits = max(self.digits, digits_needed(value))

    def number_format(self) -> NumberFormat:
        scientific = self.largest >= 1e6 or self.smallest < 1e-4
        return NumberFormat(self.digits, scientific)


def number_format(values: Iterable[float]) -> NumberFormat:
    """The format for a column holding `values` (infinities and NaN do not count)."""
    stats = NumberStats()
    for value in values:
        stats.add(metric_value(value))
    return stats.number_format()


def fmt_metric(value: float | None, fmt: NumberFormat | None = None) -> str:
    """A metric value; alone (`fmt` None) with as few digits as it needs, up to six."""
    if value is None:
        return ""
    return (fmt or number_format((value,)))(value)


def natural_key(text: str) -> float | str:
    """Params are strings: numbers sort as numbers, the rest as text."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return text


def fmt_tags(tags: dict[str, str], hide_system: bool = True) -> str:
    """'k=v, ...'; the app's own bookkeeping tags (modelhub.*: audit trail, requests) are
    never shown here (the History view reads them), MLflow's unless `hide_system` is off."""
    items = [
        f"{k}={v}" for k, v in sorted(tags.items())
        if not (hide_system and k.startswith("mlflow.")) and not k.startswith("modelhub.")
    ]
    return ", ".join(items)


def plural(count: int, noun: str, plural_noun: str = "") -> str:
    """'1 version', '2 versions', '0 versions' (`plural_noun` for irregular nouns)."""
    word = noun if count == 1 else (plural_noun or f"{noun}s")
    return f"{count:,} {word}"


def display_uri(uri: str) -> str:
    """A tracking URI as a person reads it: the file path for sqlite:// and file: stores."""
    if uri.startswith("sqlite:///"):
        return unquote(uri[len("sqlite:///"):])
    if uri.startswith("file:"):
        parsed = urlparse(uri)
        return unquote(parsed.path) if parsed.path else uri
    return uri


def elide_middle(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis in the middle (for plain text)."""
    if len(text) <= limit or limit < 3:
        return text
    head = (limit - 1) // 2
    return f"{text[:head]}\u2026{text[len(text) - (limit - 1 - head):]}"
