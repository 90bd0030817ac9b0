"""`confirmWriteDialog`: confirm a write that needs one choice (which alias to remove or
roll back), with a message that says exactly what will happen for that choice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QComboBox

from modelhub_desktop.ui.dialogs.write_dialog import WriteDialog

#: choice -> (message, problem): problem "" when the choice can be confirmed
Describe = Callable[[str], tuple[str, str]]


class ChoiceDialog(WriteDialog):
    def __init__(self, title: str, label: str, choices: Sequence[str], describe: Describe,
                 confirm_text: str, parent: Any = None) -> None:
        super().__init__(title, "", confirm_text, "confirmWriteDialog", parent)
        self.describe = describe
        self.combo = QComboBox()
        self.combo.setObjectName("writeChoice")
        self.combo.addItems(list(choices))
        self.add_field(label if len(choices) > 1 else "", self.combo)
        self.combo.setVisible(len(choices) > 1)
        self.combo.currentTextChanged.connect(self._update)
        self._update(self.combo.currentText())

    def choice(self) -> str:
        return self.combo.currentText()

    def _update(self, choice: str) -> None:
        message, problem = self.describe(choice)
        self.message.setText(message)
        self.set_problem(problem)
