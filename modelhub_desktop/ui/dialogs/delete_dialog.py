"""`deleteDialog`: delete a version or a model only after its name is typed in full."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit

from modelhub_desktop.ui.dialogs.write_dialog import WriteDialog


class DeleteDialog(WriteDialog):
    """`what` is shown ("version 3 of churn"); `name` is what must be typed."""

    def __init__(self, what: str, name: str, parent: Any = None,
                 with_reason: bool = True) -> None:
        super().__init__(f"Delete {what}", f"Deleting <b>{what}</b> cannot be undone. "
                         f"Type <b>{name}</b> to confirm.", "Delete", "deleteDialog", parent,
                         with_reason=with_reason)
        self.name = name
        self.typed = QLineEdit()
        self.typed.setObjectName("deleteTypedName")
        self.typed.setPlaceholderText(name[:60])
        self.add_field("", self.typed)
        self.confirm.setStyleSheet("QPushButton:enabled { color: #b00020; font-weight: bold; }")
        self.typed.textChanged.connect(self._update)
        self._update("")

    def _update(self, text: str) -> None:
        self.set_ready(text == self.name)
