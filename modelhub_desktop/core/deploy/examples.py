"""A version's serving input example: what the Try it panel starts from.

MLflow logs `serving_input_example.json` next to the MLmodel file when a model is logged
with an input example. Only that small file is read, never the model.
"""

from __future__ import annotations

from modelhub_desktop.core.domain import ModelVersion
from modelhub_desktop.core.errors import NotFound
from modelhub_desktop.core.lineage import artifact_root
from modelhub_desktop.core.registry import RegistryGateway

EXAMPLE_FILE = "serving_input_example.json"


def serving_example(gateway: RegistryGateway, version: ModelVersion) -> str | None:
    """The text of the version's serving input example, or None when it was logged
    without one. Unreachable stores and refused credentials raise as usual."""
    try:
        root = artifact_root(gateway, version).rstrip("/")
    except NotFound:
        return None
    if not root:
        return None
    try:
        names = {entry.name for entry in gateway.list_artifacts(root)}
    except NotFound:
        return None
    if EXAMPLE_FILE not in names:
        return None
    return gateway.read_artifact_text(f"{root}/{EXAMPLE_FILE}")

