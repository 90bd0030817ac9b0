"""Keep a restored window on the screen it opens on."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget


def fit_rect(rect: QRect, available: QRect) -> QRect:
    """`rect` shrunk to fit `available` and moved inside it."""
    width = min(rect.width(), available.width())
    height = min(rect.height(), available.height())
    x = min(max(rect.x(), available.x()), available.x() + available.width() - width)
    y = min(max(rect.y(), available.y()), available.y() + available.height() - height)
    return QRect(x, y, width, height)


def clamp_to_screen(window: QWidget) -> None:
    """A saved geometry wider or taller than the screen (another monitor, a name that once
    widened the window) is shrunk and moved back onto the available area."""
    screen = window.screen()
    if screen is None:
        return
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    extra_w = frame.width() - window.width()
    extra_h = frame.height() - window.height()
    fitted = fit_rect(frame, available)
    if fitted != frame:
        window.resize(max(200, fitted.width() - extra_w), max(150, fitted.height() - extra_h))
        window.move(fitted.topLeft())
