"""The `compareView`: chosen versions side by side on charts and tables.

Tabs: metric history (one curve per version), one metric across all versions of the
model, final metrics (best values, differences to a baseline, grouped bars) and params
side by side; each tab is its own widget. Histories live in a `HistoryStore` (cache
first, MLflow's bulk endpoints otherwise, on the task runner); export is a
`CompareExporter`. With fewer than two versions selected the view compares the alias
holders and the latest versions (`core.compare_choice`) and says how to pick others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core import compare
from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.compare import Compared, VersionLike
from modelhub_desktop.core.compare_choice import Choice, choose_versions
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.ui.charts import plots
from modelhub_desktop.ui.tasks import TaskRunner
from modelhub_desktop.ui.views.compare_across_tab import AcrossTab
from modelhub_desktop.ui.views.compare_export import CompareExporter
from modelhub_desktop.ui.views.compare_final_tab import FinalTab
from modelhub_desktop.ui.views.compare_history_tab import HistoryTab
from modelhub_desktop.ui.views.compare_params_tab import ParamsTab
from modelhub_desktop.ui.views.compare_store import HistoryStore

#: The tabs, in order.
HISTORY_TAB, ACROSS_TAB, FINAL_TAB, PARAMS_TAB = range(4)
#: Versions named in the title at most.
TITLE_VERSIONS = 12
#: Characters of the model name in the title at most (the tooltip has all of it).
TITLE_NAME = 60
EMPTY_TEXT = ("Select two or more versions in the version table and press Compare "
              "(Ctrl+M) to see their metric histories, final metrics and params side by side.")


class CompareView(QWidget):
    """Metric history, metric across versions, final metrics and params of chosen versions."""

    statusMessage = Signal(str)  # noqa: N815

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.runner = runner
        self.model_name = ""
        self.choice = Choice((), False, 0)
        self.all_versions: list[Compared] = []
        self._retheming = False
        self.theme = plots.current_theme()
        self.store = HistoryStore(runner, self)
        self.history = HistoryTab(self.store, self.theme)
        self.across = AcrossTab(self.theme)
        self.final = FinalTab(self.theme)
        self.params = ParamsTab()
        self._build()
        self.exporter = CompareExporter(self.tabs, lambda: self.model_name,
                                        lambda: self.theme, self)
        for source in (self.history, self.exporter):
            source.statusMessage.connect(self.statusMessage)
        for kind, slot in (("PNG", self.exporter.ask_png), ("SVG", self.exporter.ask_svg),
                           ("CSV", self.exporter.ask_csv)):
            self.export_buttons[kind].clicked.connect(slot)
        self.history.multiplesToggled.connect(self._update_controls)
        self.final.baselineChanged.connect(self._baseline_changed)
        self._show_empty(True)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.title = QLabel("")
        self.title.setObjectName("compareTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        # a long model name is elided, never widens the window
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top.addWidget(self.title, 1)
        self.metric_label = QLabel("Metric:")
        top.addWidget(self.metric_label)
        self.metric_combo = QComboBox()
        self.metric_combo.setObjectName("compareMetric")
        self.metric_combo.setMinimumWidth(180)
        self.metric_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.metric_combo.currentTextChanged.connect(self._metric_changed)
        top.addWidget(self.metric_combo)
        self.export_buttons: dict[str, QPushButton] = {}
        for kind in ("PNG", "SVG", "CSV"):
            b = QPushButton(f"Export {kind}…")
            b.setObjectName(f"export{kind}Button")
            top.addWidget(b)
            self.export_buttons[kind] = b
        layout.addLayout(top)
        self.choice_note = QLabel("")
        self.choice_note.setObjectName("compareChoiceNote")
        self.choice_note.setWordWrap(True)
        self.choice_note.hide()
        layout.addWidget(self.choice_note)

        self.stack = QStackedWidget()
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("compareEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("compareTabs")
        self.tabs.addTab(self.history, "Metric history")
        self.tabs.addTab(self.across, "Across versions")
        self.tabs.addTab(self.final, "Final metrics")
        self.tabs.addTab(self.params, "Params")
        self.tabs.currentChanged.connect(self._update_controls)
        self.stack.addWidget(self.tabs)
        layout.addWidget(self.stack, 1)

    # -- public API ----------------------------------------------------------------------------
    @property
    def selected(self) -> list[Compared]:
        """The versions compared."""
        return list(self.choice.items)

    def set_context(self, gateway: RegistryGateway | None, cache: MetadataCache | None,
                    online: bool) -> None:
        """Where histories come from: the cache, and (when `online`) the gateway."""
        if self.store.set_source(gateway, cache, online):
            # what was drawn came from elsewhere: clear it, load from the new source
            self.history.load()
            self.history.draw()

    def compare(self, model_name: str, rows: Sequence[VersionLike],
                all_records: Sequence[VersionLike]) -> None:
        """Compare the selected `rows` of `model_name`; with fewer than two, the alias
        holders and the latest of `all_records` (every version of the model)."""
        self.model_name = model_name
        selected = compare.compared(rows)
        by_version = {c.version.version: c for c in compare.compared(all_records)}
        for c in selected:
            by_version.setdefault(c.version.version, c)
        self.all_versions = sorted(by_version.values(), key=lambda c: c.version.version)
        self.choice = choose_versions(selected, self.all_versions)
        items = self.selected
        self.choice_note.setText(self.choice.note)
        self.choice_note.setVisible(bool(self.choice.note) and bool(items))
        self._set_title(model_name, items)
        self._show_empty(not items)

        selected_keys = compare.metric_keys(items)
        keys = sorted(set(selected_keys) | set(compare.metric_keys(self.all_versions)),
                      key=lambda k: (k.casefold(), k))
        current = self.metric_combo.currentText()
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        self.metric_combo.addItems(keys)
        chosen = current if current in selected_keys else compare.default_history_metric(
            selected_keys or keys)
        self.metric_combo.setCurrentText(chosen)
        self.metric_combo.blockSignals(False)

        self.final.set_items(items)
        base = self.final.baseline_index()
        self.params.set_items(items, base)
        self.across.set_items(items, self.all_versions)
        self.history.set_items(items, selected_keys, self._first_runs(base))
        self._metric_changed(self.metric_combo.currentText())

    def _set_title(self, model_name: str, items: Sequence[Compared]) -> None:
        labels = ", ".join(c.label for c in items[:TITLE_VERSIONS])
        more = (f" and {len(items) - TITLE_VERSIONS} more" if len(items) > TITLE_VERSIONS
                else "")
        of = (f" ({len(items)} of {self.choice.of_total} versions)"
              if self.choice.chosen_for_user and len(items) < self.choice.of_total else "")
        name = model_name if len(model_name) <= TITLE_NAME else model_name[:TITLE_NAME] + "…"
        self.title.setText(f"<b>{_html(name)}</b>: {_html(labels)}{more}{of}"
                           if items else "")
        self.title.setToolTip(model_name)

    def _first_runs(self, base: int | None) -> list[str]:
        """The baseline and the next version load first: a comparison shows early."""
        items = self.selected
        order = ([items[base]] if base is not None else []) + items
        return list(dict.fromkeys(c.run.run_id for c in order if c.run))[:2]

    def current_metric(self) -> str:
        return self.metric_combo.currentText()

    def set_metric(self, key: str) -> None:
        self.metric_combo.setCurrentText(key)

    def _metric_changed(self, key: str) -> None:
        self.history.set_metric(key)
        self.across.set_metric(key)

    def _baseline_changed(self) -> None:
        self.params.set_items(self.selected, self.final.baseline_index())

    # -- options remembered between launches ---------------------------------------------------
    def save_options(self, settings: QSettings) -> None:
        """Chart options (axis, scale, smoothing, small multiples, tab) to `settings`."""
        h = self.history
        settings.setValue("compare/xAxis", h.x_mode())
        settings.setValue("compare/logScale", h.log_y.isChecked())
        settings.setValue("compare/smoothing", h.smoothing.value())
        settings.setValue("compare/smallMultiples", h.multiples.isChecked())
        settings.setValue("compare/acrossAxis", str(self.across.x_axis.currentData()
                                                    or "version"))
        settings.setValue("compare/onlyDifferences", self.params.only_diff.isChecked())
        settings.setValue("compare/tab", self.tabs.currentIndex())

    def restore_options(self, settings: QSettings) -> None:
        """The options `save_options` wrote; anything missing or odd keeps its default."""
        def flag(key: str, default: bool) -> bool:
            value = settings.value(key, default)
            return value in (True, "true", "1", 1) if value is not None else default

        def number(key: str, default: int, lo: int, hi: int) -> int:
            try:
                return min(max(int(cast(Any, settings.value(key, default))), lo), hi)
            except (TypeError, ValueError):
                return default

        h = self.history
        for combo, key in ((h.x_axis, "compare/xAxis"),
                           (self.across.x_axis, "compare/acrossAxis")):
            index = combo.findData(settings.value(key, ""))
            if index >= 0:
                combo.setCurrentIndex(index)
        h.log_y.setChecked(flag("compare/logScale", False))
        h.smoothing.setValue(number("compare/smoothing", 0, 0, 99))
        h.multiples.setChecked(flag("compare/smallMultiples", False))
        self.params.only_diff.setChecked(flag("compare/onlyDifferences", True))
        self.tabs.setCurrentIndex(number("compare/tab", 0, 0, self.tabs.count() - 1))

    # -- empty state, controls, theme ----------------------------------------------------------
    def _show_empty(self, empty: bool) -> None:
        self.stack.setCurrentIndex(0 if empty else 1)
        self._update_controls()

    def _update_controls(self, *_: object) -> None:
        """Export what the tab can export; show the metric selector where it drives the
        chart (Metric history without small multiples, Across versions)."""
        shown = bool(self.selected) and self.stack.currentIndex() == 1
        index = self.tabs.currentIndex()
        has_chart = shown and index != PARAMS_TAB
        self.export_buttons["PNG"].setEnabled(has_chart)
        self.export_buttons["SVG"].setEnabled(has_chart)
        self.export_buttons["CSV"].setEnabled(shown)
        drives = index == ACROSS_TAB or (index == HISTORY_TAB
                                         and not self.history.multiples.isChecked())
        self.metric_label.setVisible(drives)
        self.metric_combo.setVisible(drives)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.retheme()

    def retheme(self) -> None:
        """Follow the application palette (light or dark)."""
        theme = plots.current_theme()
        if theme == self.theme or self._retheming:
            return
        self._retheming = True
        try:
            self.theme = theme
            for page in (self.history, self.across, self.final, self.params):
                page.retheme(theme)
        finally:
            self._retheming = False

    # -- conveniences for the main window, tests and benchmarks --------------------------------
    @property
    def history_plot(self) -> Any:
        return self.history.plot

    @property
    def history_hover(self) -> Any:
        return self.history.hover

    @property
    def across_plot(self) -> Any:
        return self.across.plot

    def curves_pending(self) -> bool:
        """Whether curves are still being added to the charts."""
        return self.history.curves.pending()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
