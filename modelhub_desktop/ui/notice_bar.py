"""`noticeBar`: a dismissable strip for things the user should read once.

The status bar's messages are overwritten by the next refresh; a recovered cache or an
unreadable profiles file must stay on screen until the user has seen it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton


class NoticeBar(QFrame):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.setStyleSheet(
            "#noticeBar { background: #e8f0fe; border: 1px solid #9db7e8; border-radius: 3px; }"
            " #noticeBar QLabel { color: #1a3a6b; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel("")
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.close_button = QToolButton()
        self.close_button.setObjectName("noticeDismiss")
        self.close_button.setText("Dismiss")
        self.close_button.clicked.connect(self.dismiss)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button)
        self._notices: list[str] = []
        self.hide()

    def add(self, text: str) -> None:
        """Show `text` (once) along with any notice not yet dismissed."""
        if text and text not in self._notices:
            self._notices.append(text)
        self.label.setText("\n".join(self._notices))
        self.setVisible(bool(self._notices))

    def dismiss(self) -> None:
        self._notices.clear()
        self.hide()
