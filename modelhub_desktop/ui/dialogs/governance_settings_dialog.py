"""`governanceSettingsDialog`: one profile's promote alias names and watch interval.

Names are checked with MLflow's alias rules as they are typed; OK stays off until they
pass. The caller applies the result at once (promote actions, watch timer).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from modelhub_desktop.core.governance_settings import (
    DEFAULT_INTERVAL_S,
    MAX_INTERVAL_S,
    MIN_INTERVAL_S,
    OFF,
    GovernanceSettings,
    parse_aliases,
)


class GovernanceSettingsDialog(QDialog):
    def __init__(self, profile_name: str, current: GovernanceSettings,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("governanceSettingsDialog")
        self.setWindowTitle(f"Governance settings — {profile_name}")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        intro = QLabel(f"For the connection <b>{profile_name}</b>.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.aliases = QLineEdit(", ".join(current.promote_aliases))
        self.aliases.setObjectName("governanceAliases")
        self.aliases.setToolTip("Comma-separated; each becomes a \"Promote to @name\" action "
                                "(the first one has Ctrl+Shift+P)")
        form.addRow("Promote to aliases:", self.aliases)
        self.watch = QCheckBox("Watch for alias and stage moves by others")
        self.watch.setObjectName("governanceWatchEnabled")
        self.watch.setChecked(current.watching)
        form.addRow("", self.watch)
        self.interval = QSpinBox()
        self.interval.setObjectName("governanceWatchInterval")
        self.interval.setRange(MIN_INTERVAL_S, MAX_INTERVAL_S)
        self.interval.setSuffix(" s")
        self.interval.setSingleStep(15)
        self.interval.setValue(current.watch_interval_s if current.watching
                               else DEFAULT_INTERVAL_S)
        self.interval.setToolTip(f"One request per watched model every interval "
                                 f"({MIN_INTERVAL_S} s to {MAX_INTERVAL_S // 60} min)")
        form.addRow("Look every:", self.interval)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setObjectName("governanceSettingsProblem")
        self.problem.setStyleSheet("QLabel { color: #b00020; }")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok: QPushButton = ok
        self.ok.setObjectName("governanceSettingsOk")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.aliases.textChanged.connect(lambda _t: self._check())
        self.watch.toggled.connect(self.interval.setEnabled)
        self.interval.setEnabled(current.watching)
        self._check()

    def _check(self) -> None:
        _names, problem = parse_aliases(self.aliases.text())
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.ok.setEnabled(not problem)

    def settings(self) -> GovernanceSettings:
        names, _problem = parse_aliases(self.aliases.text())
        return GovernanceSettings(tuple(names),
                                  self.interval.value() if self.watch.isChecked() else OFF)
