"""Per-profile governance settings in the window: read at profile open, edited in the
`governanceSettingsDialog` (Model menu, History tab) and applied at once — the "Promote
to" actions are rebuilt with the new alias names and the watch timer restarts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.governance_settings import (
    GovernanceSettings,
    read_aliases,
    read_interval,
)
from modelhub_desktop.ui.dialogs.governance_settings_dialog import GovernanceSettingsDialog
from modelhub_desktop.ui.model_watch import interval_key

if TYPE_CHECKING:
    from modelhub_desktop.ui.governance_feature import GovernanceFeature


def promote_aliases_key(profile: Profile) -> str:
    return f"profiles/{profile.name}/promoteAliases"


def load(settings: QSettings, profile: Profile) -> GovernanceSettings:
    return GovernanceSettings(
        tuple(read_aliases(settings.value(promote_aliases_key(profile), None))),
        read_interval(settings.value(interval_key(profile), None)))


def save(settings: QSettings, profile: Profile, value: GovernanceSettings) -> None:
    settings.setValue(promote_aliases_key(profile), list(value.promote_aliases))
    settings.setValue(interval_key(profile), value.watch_interval_s)


class GovernanceSettingsFlow:
    """The "Governance settings…" action and dialog of one window."""

    def __init__(self, feature: GovernanceFeature) -> None:
        self.feature = feature
        self.window = feature.window
        self.dialog: GovernanceSettingsDialog | None = None
        self.action = QAction("&Governance settings…", self.window)
        self.action.setObjectName("governanceSettingsAction")
        self.action.setToolTip("Promote alias names and the watch interval of this connection")
        self.action.triggered.connect(self.open)
        menu = next((a.menu() for a in self.window.menuBar().actions()
                     if a.text().replace("&", "") == "Model"), None)
        if isinstance(menu, QMenu):
            menu.addSeparator()
            menu.addAction(self.action)
        feature.history_view.settings_button.clicked.connect(self.open)

    def current(self) -> GovernanceSettings:
        return load(self.window.ctx.settings, self.window.controller.profile)

    def on_profile(self, profile: Profile) -> None:
        """Apply the profile's settings; written once, so they can be edited by hand too."""
        settings = self.window.ctx.settings
        value = load(settings, profile)
        if settings.value(promote_aliases_key(profile), None) is None:
            save(settings, profile, value)
        self.feature.set_promote_aliases(value.promote_aliases)
        self.feature.watch.start(profile)

    def open(self) -> None:
        profile = self.window.controller.profile
        dialog = GovernanceSettingsDialog(profile.name, self.current(), self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply(profile, dialog.settings()))
        self.dialog = dialog
        dialog.open()

    def apply(self, profile: Profile, value: GovernanceSettings) -> None:
        """Save `value` for `profile` and, if it is the open one, use it now."""
        save(self.window.ctx.settings, profile, value)
        if profile.name != self.window.controller.profile.name:
            return
        self.feature.set_promote_aliases(value.promote_aliases)
        self.feature.watch.set_interval(value.watch_interval_s)
        self.feature.update()
        every = (f"every {value.watch_interval_s} s" if value.watching else "off")
        self.window.status.showMessage(
            "Promote to " + ", ".join("@" + a for a in value.promote_aliases)
            + f"; watching for moves by others: {every}.", 10000)
