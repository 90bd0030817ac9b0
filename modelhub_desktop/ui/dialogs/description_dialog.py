"""`descriptionDialog`: edit a model's or version's description in Markdown, with a live
preview of how it will read."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QSplitter, QTextBrowser

from modelhub_desktop.ui.dialogs.write_dialog import WriteDialog


class DescriptionDialog(WriteDialog):
    def __init__(self, title: str, text: str, parent: Any = None) -> None:
        super().__init__(title, "Markdown on the left, how it reads on the right.", "Save",
                         "descriptionDialog", parent)
        self.original = text
        self.resize(820, 520)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.editor = QPlainTextEdit(text)
        self.editor.setObjectName("descriptionEditor")
        self.preview = QTextBrowser()
        self.preview.setObjectName("descriptionPreview")
        split.addWidget(self.editor)
        split.addWidget(self.preview)
        self.fields.addWidget(split, 1)
        self.body.setStretchFactor(self.fields, 1)
        self.editor.textChanged.connect(self._update)
        self._update()

    def text(self) -> str:
        return self.editor.toPlainText()

    def _update(self) -> None:
        self.preview.setMarkdown(self.text())
        self.set_ready(self.text() != self.original)
