"""Item delegates: alias badges."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

ALIAS_COLORS = {
    "champion": QColor("#0072B2"),
    "challenger": QColor("#E69F00"),
    "production": QColor("#009E73"),
    "staging": QColor("#CC79A7"),
}
DEFAULT_ALIAS_COLOR = QColor("#56B4E9")


def alias_color(alias: str) -> QColor:
    return ALIAS_COLORS.get(alias.lower(), DEFAULT_ALIAS_COLOR)


class AliasBadgeDelegate(QStyledItemDelegate):
    """Paints each `@alias` of a cell as a small rounded badge."""

    def __init__(self, role: int, parent: Any = None) -> None:
        super().__init__(parent)
        self._role = role

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        aliases = index.data(self._role) or ()
        if not aliases:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = option.fontMetrics
        x = option.rect.x() + 4
        h = metrics.height() + 2
        y = option.rect.y() + (option.rect.height() - h) / 2
        for alias in aliases:
            text = f"@{alias}"
            w = metrics.horizontalAdvance(text) + 10
            if x + w > option.rect.right():
                break
            rect = QRectF(x, y, w, h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(alias_color(alias))
            painter.drawRoundedRect(rect, h / 2, h / 2)
            painter.setPen(QColor("white"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            x += w + 4
        painter.restore()
