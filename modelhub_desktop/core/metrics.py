"""Facts about metric names shared by the table, charts and reports."""

from __future__ import annotations

_LOWER_IS_BETTER = ("loss", "error", "err", "rmse", "mse", "mae", "mape", "perplexity",
                    "latency", "logloss", "log_loss", "wer", "cer")


def lower_is_better(metric_key: str) -> bool:
    """Best guess of a metric's direction from its name (the user can override it)."""
    key = metric_key.lower()
    return any(token in key for token in _LOWER_IS_BETTER)
