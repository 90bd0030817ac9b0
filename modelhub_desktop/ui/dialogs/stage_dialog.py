"""`stageDialog`: move a version to another stage, optionally archiving the versions
already in Staging or Production."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox

from modelhub_desktop.ui.dialogs.write_dialog import WriteDialog

STAGES = ("None", "Staging", "Production", "Archived")
ARCHIVING = ("Staging", "Production")


class StageDialog(WriteDialog):
    def __init__(self, model_name: str, version: int, current: str,
                 stages: Mapping[int, str], parent: Any = None) -> None:
        super().__init__(f"Change the stage of v{version}", "", "Change stage", "stageDialog",
                         parent)
        self.model_name, self.version, self.current = model_name, version, current
        self.stages = dict(stages)
        self.combo = QComboBox()
        self.combo.setObjectName("stageChoice")
        self.combo.addItems([s for s in STAGES if s != current])
        self.add_field("New stage:", self.combo)
        self.archive = QCheckBox("Archive existing versions in that stage")
        self.archive.setObjectName("archiveExisting")
        self.archive.setChecked(True)
        self.add_field("", self.archive)
        self.combo.currentTextChanged.connect(self._update)
        self.archive.toggled.connect(lambda _on: self._update(self.combo.currentText()))
        self._update(self.combo.currentText())

    def stage(self) -> str:
        return self.combo.currentText()

    def holders(self) -> list[int]:
        """Versions in the chosen stage when the user looked (other than this one)."""
        return sorted(v for v, s in self.stages.items()
                      if s == self.stage() and v != self.version)

    def archive_existing(self) -> bool:
        return self.archive.isChecked() and self.stage() in ARCHIVING

    def _update(self, stage: str) -> None:
        self.archive.setEnabled(stage in ARCHIVING)
        text = f"Move <b>v{self.version}</b> of {self.model_name} from {self.current} to " \
               f"<b>{stage}</b>."
        others = self.holders()
        if others and self.archive_existing():
            text += " " + ", ".join(f"v{v}" for v in others) + " will be archived."
        self.message.setText(text)
