"""Human-readable text for timestamps, durations and values (shared by views and reports)."""

from __future__ import annotations

import math
from datetime import datetime


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


def fmt_metric(value: float | None) -> str:
    if value is None:
        return ""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-4):
        return f"{value:.4e}"
    return f"{value:.6g}"


def natural_key(text: str) -> float | str:
    """Params are strings: numbers sort as numbers, the rest as text."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return text


def fmt_tags(tags: dict[str, str], hide_system: bool = True) -> str:
    items = [
        f"{k}={v}" for k, v in sorted(tags.items()) if not (hide_system and k.startswith("mlflow."))
    ]
    return ", ".join(items)
