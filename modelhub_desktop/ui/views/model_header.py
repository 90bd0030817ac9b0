"""The `modelHeader` above the version table: the registered model's tags and description.

The description is Markdown (MLflow's UI renders it so), shown a few lines high with
More/Less; tags are one elided line with every tag in the tooltip. A model with neither
shows no header at all.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.domain import RegisteredModel
from modelhub_desktop.ui.elided_label import ElidedLabel

COLLAPSED_LINES = 3
EXPANDED_LINES = 16


def tag_items(tags: dict[str, str]) -> list[str]:
    """'key=value' for the user's tags (MLflow's own mlflow.* tags and the app's modelhub.*
    audit and request tags are not shown)."""
    return [f"{k}={v}" for k, v in sorted(tags.items())
            if not k.startswith(("mlflow.", "modelhub."))]


class _Description(QTextBrowser):
    """A Markdown view whose size hint never depends on the text's width."""

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(240, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(60, super().minimumSizeHint().height())


class ModelHeader(QWidget):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelHeader")
        self._model: RegisteredModel | None = None
        self._expanded = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        top = QHBoxLayout()
        self.tags_label = ElidedLabel(object_name="modelHeaderTags",
                                      mode=Qt.TextElideMode.ElideRight)
        top.addWidget(self.tags_label, 1)
        self.toggle = QToolButton()
        self.toggle.setObjectName("modelHeaderToggle")
        self.toggle.setAutoRaise(True)
        self.toggle.clicked.connect(lambda: self.set_expanded(not self._expanded))
        top.addWidget(self.toggle)
        layout.addLayout(top)
        self.description = _Description()
        self.description.setObjectName("modelHeaderDescription")
        self.description.setOpenExternalLinks(True)
        self.description.setFrameShape(QFrame.Shape.NoFrame)
        self.description.viewport().setAutoFillBackground(False)
        self.description.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.description.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        layout.addWidget(self.description)
        self.set_model(None)

    def set_model(self, model: RegisteredModel | None) -> None:
        """Show `model`'s tags and description (the header hides when it has neither)."""
        self._model = model
        tags = tag_items(model.tags) if model else []
        text = (model.description.strip() if model else "")
        self.tags_label.setText("Tags: " + " · ".join(tags) if tags else "",
                                tooltip="\n".join(tags))
        self.tags_label.setVisible(bool(tags))
        self.description.setMarkdown(text)
        self.description.setToolTip("")
        self.description.setVisible(bool(text))
        self.setVisible(bool(tags or text))
        self._expanded = False
        self._fit()

    @property
    def model(self) -> RegisteredModel | None:
        return self._model

    def set_expanded(self, expanded: bool) -> None:
        self._expanded = expanded
        self._fit()

    def is_expanded(self) -> bool:
        return self._expanded

    def _line_height(self) -> int:
        return self.description.fontMetrics().lineSpacing()

    def _fit(self) -> None:
        """Collapsed: a few lines; expanded: up to EXPANDED_LINES, then it scrolls."""
        doc = self.description.document()
        doc.setTextWidth(max(60, self.description.viewport().width()))
        needed = int(doc.size().height()) + 4
        lines = EXPANDED_LINES if self._expanded else COLLAPSED_LINES
        limit = self._line_height() * lines + 8
        self.description.setFixedHeight(max(self._line_height() + 8, min(needed, limit)))
        overflows = needed > self._line_height() * COLLAPSED_LINES + 8
        self.toggle.setVisible(bool(self.description.toPlainText()) and overflows)
        self.toggle.setText("Less" if self._expanded else "More")
        self.toggle.setToolTip("Show less of the description" if self._expanded
                               else "Show the whole description")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()
