"""`renameDialog`: give a registered model a new name."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from PySide6.QtWidgets import QLineEdit

from modelhub_desktop.ui.dialogs.write_dialog import WriteDialog


class RenameDialog(WriteDialog):
    def __init__(self, model_name: str, taken: Collection[str], parent: Any = None) -> None:
        super().__init__("Rename model", f"Rename <b>{model_name}</b>. Its versions, aliases "
                         "and history go with it; scripts that load it by the old name stop "
                         "working.", "Rename", "renameDialog", parent)
        self.model_name, self.taken = model_name, set(taken)
        self.edit = QLineEdit(model_name)
        self.edit.setObjectName("renameName")
        self.edit.selectAll()
        self.add_field("New name:", self.edit)
        self.edit.textChanged.connect(self._update)
        self._update(model_name)

    def new_name(self) -> str:
        return self.edit.text().strip()

    def _update(self, _text: str) -> None:
        name = self.new_name()
        if not name or name == self.model_name:
            self.set_problem("Type a new name.")
        elif name in self.taken:
            self.set_problem(f"A model named {name} already exists.")
        else:
            self.set_problem("")
