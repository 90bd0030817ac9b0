"""The `updateDeploymentDialog`: switch a deployment to another version, after seeing
what changes.

It lists the metrics of the version served now next to those of the chosen version (from
the runs in the cache), with the difference, so "Update to v3" is a decision made on
numbers. For an alias-following deployment whose alias moved, the version is the alias's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.deploy.base import DeploymentRecord
from modelhub_desktop.core.deploy.metric_diff import MetricDelta, metric_differences
from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.core.formatting import fmt_metric


def delta_text(d: MetricDelta) -> str:
    if d.delta is None:
        return "only in one" if (d.old is None) != (d.new is None) else ""
    sign = "+" if d.delta > 0 else ""
    return f"{sign}{fmt_metric(d.delta)}"


class UpdateDeploymentDialog(QDialog):
    """Pick the version (or confirm the given one); `chosen_version()` after accept."""

    def __init__(self, record: DeploymentRecord, versions: Sequence[ModelVersion],
                 runs: Mapping[str, RunData], target: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("updateDeploymentDialog")
        self.record, self.runs = record, runs
        self.versions = {v.version: v for v in versions}
        self.setWindowTitle(f"Update {record.name}")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = (f"<b>{record.name}</b> serves v{record.version} of {record.model_name}"
                 + (f", following @{record.alias}" if record.alias else "") + ".")
        if target is not None and record.alias:
            intro += f" @{record.alias} now names v{target}."
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.version_combo = QComboBox()
        self.version_combo.setObjectName("updateVersionCombo")
        for v in sorted(self.versions.values(), key=lambda v: -v.version):
            if v.version == record.version:
                continue
            aliases = " ".join(f"@{a}" for a in v.aliases)
            self.version_combo.addItem(f"v{v.version} {aliases}".strip(), v.version)
        if target is not None:
            if self.version_combo.findData(target) < 0:
                self.version_combo.addItem(f"v{target}", target)
            self.version_combo.setCurrentIndex(self.version_combo.findData(target))
            self.version_combo.setEnabled(False)
        form.addRow("Update to:", self.version_combo)
        layout.addLayout(form)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("metricDiffTable")
        self.table.setHorizontalHeaderLabels(["Metric", f"v{record.version} (now)", "new",
                                              "difference"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.note = QLabel("")
        self.note.setObjectName("metricDiffNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.version_combo.currentIndexChanged.connect(lambda *_: self._show_diff())
        self._show_diff()

    def chosen_version(self) -> int | None:
        data = self.version_combo.currentData()
        return int(data) if data is not None else None

    def _run_of(self, version: int | None) -> RunData | None:
        v = self.versions.get(version) if version is not None else None
        return self.runs.get(v.run_id) if v is not None and v.run_id else None

    def differences(self) -> list[MetricDelta]:
        return metric_differences(self._run_of(self.record.version),
                                  self._run_of(self.chosen_version()))

    def _show_diff(self) -> None:
        chosen = self.chosen_version()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(chosen is not None)
        ok.setText(f"Update to v{chosen}" if chosen is not None else "Update")
        self.table.setHorizontalHeaderItem(2, QTableWidgetItem(
            f"v{chosen}" if chosen is not None else "new"))
        deltas = self.differences()
        self.table.setRowCount(len(deltas))
        for row, d in enumerate(deltas):
            for col, text in enumerate((d.key, fmt_metric(d.old), fmt_metric(d.new),
                                        delta_text(d))):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if chosen is None:
            self.note.setText("There is no other version to switch to.")
        elif not deltas:
            self.note.setText("No metrics to compare: the versions' runs are not in the cache "
                              "or logged none.")
        else:
            self.note.setText("Metrics of the source runs, as cached at the last refresh.")
