"""A one-line label that elides its text to the width it gets, with the full text as tooltip.

Names come from other people's registries (200-character model names exist): a QLabel
asks for its whole text's width and widens the window. This label asks for at most
`max_hint` pixels and never needs more than a few characters' width.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


class ElidedLabel(QWidget):
    def __init__(self, text: str = "", parent: Any = None, *,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
                 max_hint: int = 360, bold: bool = False, point_delta: float = 0.0,
                 object_name: str = "") -> None:
        super().__init__(parent)
        if object_name:
            self.setObjectName(object_name)
        self._text = ""
        self._tooltip = ""
        self._mode = mode
        self._max_hint = max_hint
        if bold or point_delta:
            font = QFont(self.font())
            font.setBold(bold)
            if point_delta:
                font.setPointSizeF(font.pointSizeF() + point_delta)
            self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(0)
        self.setText(text)

    def text(self) -> str:
        return self._text

    def setText(self, text: str, tooltip: str | None = None) -> None:  # noqa: N802 - Qt style
        """Show `text`; the tooltip is the full text unless another is given."""
        self._text = text
        self._tooltip = text if tooltip is None else tooltip
        self.setToolTip(self._tooltip)
        self.updateGeometry()
        self.update()

    def displayed_text(self) -> str:
        """The text as painted at the current width (elided when it does not fit)."""
        return self.fontMetrics().elidedText(self._text, self._mode, max(0, self.width()))

    def is_elided(self) -> bool:
        return self.displayed_text() != self._text

    def sizeHint(self) -> QSize:  # noqa: N802
        metrics = self.fontMetrics()
        width = min(metrics.horizontalAdvance(self._text) + 4, self._max_hint)
        return QSize(width, metrics.height() + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        metrics = self.fontMetrics()
        width = min(metrics.horizontalAdvance(self._text[:3] + "\u2026") + 4, self._max_hint)
        return QSize(width, metrics.height() + 2)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect = self.contentsRect()
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         self.fontMetrics().elidedText(self._text, self._mode, rect.width()))
        painter.end()
