"""`aliasDialog`: point an alias (new or existing) at a version, saying what it moves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QComboBox

from modelhub_desktop.core import governance_settings
from modelhub_desktop.ui.dialogs.write_dialog import WriteDialog


def alias_problem(name: str) -> str:
    """Why MLflow would refuse this alias name ("" when it is fine)."""
    return governance_settings.alias_problem(name) if name else "Type an alias name."


class AliasDialog(WriteDialog):
    def __init__(self, model_name: str, version: int, aliases: Mapping[str, int],
                 suggestions: Sequence[str], parent: Any = None) -> None:
        super().__init__(f"Set alias on v{version}", "", "Set alias", "aliasDialog", parent)
        self.model_name, self.version, self.aliases = model_name, version, dict(aliases)
        self.combo = QComboBox()
        self.combo.setObjectName("aliasName")
        self.combo.setEditable(True)
        names = list(dict.fromkeys([*suggestions, *sorted(aliases)]))
        self.combo.addItems([n for n in names if aliases.get(n) != version])
        self.add_field("Alias:", self.combo)
        self.combo.currentTextChanged.connect(self._update)
        self._update(self.combo.currentText())

    def alias(self) -> str:
        return self.combo.currentText().strip().lstrip("@")

    def expected(self) -> int | None:
        """Where the alias pointed when the user looked."""
        return self.aliases.get(self.alias())

    def _update(self, _text: str) -> None:
        name = self.alias()
        problem = alias_problem(name)
        holder = self.aliases.get(name)
        if problem:
            text = f"Point an alias of <b>{self.model_name}</b> at <b>v{self.version}</b>."
        elif holder == self.version:
            problem = f"@{name} already points to v{self.version}."
            text = ""
        elif holder is None:
            text = f"Add <b>@{name}</b> to <b>v{self.version}</b> of {self.model_name}."
        else:
            text = (f"Move <b>@{name}</b> of {self.model_name} from <b>v{holder}</b> to "
                    f"<b>v{self.version}</b>.")
        self.message.setText(text)
        self.set_problem(problem)
