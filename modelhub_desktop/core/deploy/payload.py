"""Check a scoring request before it is sent, and say where it is wrong.

MLflow's scoring server takes a JSON object with exactly one of `dataframe_split`,
`dataframe_records`, `instances` or `inputs`, and optionally `params`. A request that
breaks that is answered with a long server error; here it is caught first, with the
line and column of a JSON syntax error, or the field that is wrong.
"""

from __future__ import annotations

import json
from typing import Any

from modelhub_desktop.core.errors import InvalidInput

INPUT_FIELDS = ("dataframe_split", "dataframe_records", "instances", "inputs")
ALLOWED = (*INPUT_FIELDS, "params")


def validate_payload(payload: object) -> dict[str, Any]:
    """The request as a JSON object; InvalidInput naming the problem and where it is."""
    value: object = payload
    if isinstance(payload, (str, bytes)):
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        if not text.strip():
            raise InvalidInput("The request is empty: write a JSON object such as "
                               '{"dataframe_split": {"columns": [...], "data": [[...]]}}.')
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"The request is not valid JSON: {exc.msg} at line {exc.lineno}, "
                               f"column {exc.colno}.") from None
    if not isinstance(value, dict):
        raise InvalidInput("The request must be a JSON object with one of "
                           f"{', '.join(INPUT_FIELDS)}; it is a JSON {_kind(value)}.")
    given = [k for k in INPUT_FIELDS if k in value]
    unknown = [k for k in value if k not in ALLOWED]
    if unknown:
        raise InvalidInput(f"The request has an unknown field {unknown[0]!r}: use one of "
                           f"{', '.join(INPUT_FIELDS)} (and optionally params).")
    if len(given) != 1:
        found = ", ".join(given) if given else "none of them"
        raise InvalidInput(f"The request needs exactly one of {', '.join(INPUT_FIELDS)}; "
                           f"it has {found}.")
    field = given[0]
    body = value[field]
    if field == "dataframe_split":
        _check_split(body)
    elif field == "dataframe_records" and not (
            isinstance(body, list) and all(isinstance(r, dict) for r in body)):
        raise InvalidInput("dataframe_records must be a list of objects, one per row "
                           '([{"col": 1.0}, ...]).')
    if "params" in value and not isinstance(value["params"], dict):
        raise InvalidInput("params must be a JSON object.")
    return value


def _check_split(body: object) -> None:
    if not isinstance(body, dict):
        raise InvalidInput('dataframe_split must be an object: {"columns": [...], '
                           '"data": [[...]]}.')
    data = body.get("data")
    if not isinstance(data, list):
        raise InvalidInput("dataframe_split.data must be a list of rows.")
    columns = body.get("columns")
    if columns is not None and not isinstance(columns, list):
        raise InvalidInput("dataframe_split.columns must be a list of column names.")
    for i, row in enumerate(data):
        if not isinstance(row, list):
            raise InvalidInput(f"dataframe_split.data row {i + 1} is not a list.")
        if columns is not None and len(row) != len(columns):
            raise InvalidInput(f"dataframe_split.data row {i + 1} has {len(row)} values for "
                               f"{len(columns)} columns.")


def _kind(value: object) -> str:
    return {list: "array", str: "string", bool: "boolean", int: "number",
            float: "number", type(None): "null"}.get(type(value), type(value).__name__)
