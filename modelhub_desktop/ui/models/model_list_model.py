"""Qt model of the registered-model list (the `modelList` view)."""

from __future__ import annotations

from typing import Any

from modelhub_desktop.core.domain import RegisteredModel
from modelhub_desktop.core.formatting import fmt_tags, fmt_ts
from modelhub_desktop.ui.models.record_table import Column, RecordTableModel

COL_NAME, COL_LATEST, COL_ALIASES, COL_MODIFIED, COL_TAGS = range(5)


def _aliases(m: RegisteredModel) -> str:
    return ", ".join(f"{a}→v{v}" for a, v in sorted(m.aliases.items()))


MODEL_COLUMNS: list[Column[RegisteredModel]] = [
    Column(
        "name",
        "Name",
        lambda m: m.name,
        lambda m: m.name.casefold(),
        tooltip=lambda m: f"{m.name}\n\n{m.description}" if m.description else m.name,
    ),
    Column(
        "latest",
        "Latest",
        lambda m: f"v{m.latest_version}" if m.latest_version else "",
        lambda m: m.latest_version,
        align_right=True,
    ),
    Column("aliases", "Aliases", _aliases, tooltip=_aliases),
    Column(
        "modified",
        "Last modified",
        lambda m: fmt_ts(m.last_updated_timestamp),
        lambda m: m.last_updated_timestamp,
    ),
    Column("tags", "Tags", lambda m: fmt_tags(m.tags), tooltip=lambda m: fmt_tags(m.tags, False)),
]


class ModelListModel(RecordTableModel[RegisteredModel]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(MODEL_COLUMNS, key=lambda m: m.name, parent=parent)
