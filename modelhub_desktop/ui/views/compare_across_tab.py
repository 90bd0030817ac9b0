"""The compare view's Across versions tab: one metric's latest value for every version of
the model, against the version number or the registration time; the compared versions
are outlined, alias holders starred. Drawn when it shows (a hidden chart costs nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from modelhub_desktop.core import compare
from modelhub_desktop.core.compare import Compared
from modelhub_desktop.core.compare_csv import write_across_csv
from modelhub_desktop.ui.charts import across, hover, plots
from modelhub_desktop.ui.views.compare_parts import note_label


class AcrossTab(QWidget):
    """A metric across all versions of the model; see the module docstring."""

    def __init__(self, theme: plots.Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_tag = "across"
        self.theme = theme
        self.items: list[Compared] = []
        self.all_versions: list[Compared] = []
        self.metric_key = ""
        self._stale = False
        v = QVBoxLayout(self)
        opts = QHBoxLayout()
        opts.addWidget(QLabel("Against:"))
        self.x_axis = QComboBox()
        self.x_axis.setObjectName("acrossXAxis")
        self.x_axis.addItem("Version number", "version")
        self.x_axis.addItem("Registration time", "registered")
        self.x_axis.currentIndexChanged.connect(self.redraw)
        opts.addWidget(self.x_axis)
        opts.addWidget(QLabel("Latest value of the metric for every version of the model; "
                              "compared versions are outlined, alias holders starred."))
        opts.addStretch(1)
        v.addLayout(opts)
        self.plot = plots.make_plot(theme)
        self.plot.setObjectName("acrossPlot")
        self.hover = hover.HoverReadout(self.plot)
        v.addWidget(self.plot, 1)
        self.note = note_label("acrossNote")
        v.addWidget(self.note)

    def set_items(self, items: Sequence[Compared], all_versions: Sequence[Compared]) -> None:
        """`items` are outlined among `all_versions`."""
        self.items, self.all_versions = list(items), list(all_versions)
        self.redraw()

    def set_metric(self, key: str) -> None:
        self.metric_key = key
        self.redraw()

    def redraw(self, *_: object) -> None:
        """Draw now if showing, else when it shows."""
        self._stale = True
        if self.isVisible():
            self.flush()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.flush()

    def flush(self) -> None:
        """Draw the chart if it changed since it was last drawn."""
        if not self._stale:
            return
        self._stale = False
        item = self.plot.getPlotItem()
        item.clear()
        if item.legend is not None:
            item.legend.clear()
        self.hover.clear()
        key = self.metric_key
        x_mode = str(self.x_axis.currentData() or "version")
        plots.set_x_axis(item, x_mode == "registered", self.theme)
        item.getAxis("bottom").setTicks(None)
        item.setLabel("bottom", "Registration time" if x_mode == "registered" else "Version",
                      color=self.theme.foreground)
        item.setLabel("left", f"{key} (latest)" if key else "", color=self.theme.foreground)
        if not key:
            self.note.setText("No metric to show: none of the versions has a run "
                              "with metrics." if self.all_versions else "")
            return
        points, notes = compare.across_versions(self.all_versions, key, x_mode)
        if not points:
            notes = [f"No version has a finite value of {key}.", *notes]
        self.note.setText("\n".join(notes))
        if points:
            index = {c.version.version: i for i, c in enumerate(self.items)}
            across.draw(item, self.hover, points, index, key, x_mode, self.theme)

    # -- page interface ------------------------------------------------------------------------
    def chart(self) -> Any:
        self.flush()
        return self.plot.getPlotItem()

    def chart_title(self) -> str:
        return f"{self.metric_key} across versions"

    def write_csv(self, path: Path) -> None:
        write_across_csv(path, self.all_versions, self.metric_key)

    def retheme(self, theme: plots.Theme) -> None:
        self.theme = theme
        self.plot.setBackground(theme.background)
        plots.style_plot(self.plot.getPlotItem(), theme)
        self.redraw()
