"""The JSON values the app writes into MLflow tags (audit events, promotion requests):
one object with a schema version `v`, read back only when this version understands it."""

from __future__ import annotations

import json
from typing import Any


def read_versioned(value: str, newest: int, error: type[ValueError]) -> dict[str, Any]:
    """The JSON object in `value`; `error` (a message a reader can show) for anything
    that is not an object with a schema version from 1 to `newest`."""
    try:
        raw = json.loads(value)
    except ValueError as exc:
        raise error("the value is not JSON") from exc
    if not isinstance(raw, dict):
        raise error("the value is not a JSON object")
    version = raw.get("v")
    if not isinstance(version, int) or version < 1:
        raise error("no schema version")
    if version > newest:
        raise error(f"written by a newer ModelHub Desktop (schema v{version})")
    return raw
