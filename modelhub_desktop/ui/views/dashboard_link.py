"""The "Dashboard" and "Link…" buttons of the deployments view: the team's own
monitoring dashboard for a deployment, from a link template kept per connection profile
(e.g. a Grafana URL with {model}, {version} and {deployment})."""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLineEdit, QPushButton, QWidget

from modelhub_desktop.core.deploy.base import DeploymentRecord
from modelhub_desktop.ui.deploy_settings import DeploySettings, check_link_template, dashboard_link

EXAMPLE = ("https://grafana.example.com/d/x?var-model={model}&var-version={version}"
           "&var-deployment={deployment}")


class DashboardLink(QWidget):
    """Opens the dashboard of the current deployment; edits the profile's template."""

    #: a sentence for the view's message line, and whether it is a problem
    message = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings: DeploySettings | None = None
        self.record: DeploymentRecord | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.open_button = QPushButton("Dashboard")
        self.open_button.setObjectName("openDashboard")
        self.open_button.clicked.connect(self.open_dashboard)
        self.link_button = QPushButton("Link…")
        self.link_button.setObjectName("dashboardLinkButton")
        self.link_button.setToolTip("The team's dashboard URL with {model}, {version}, "
                                    "{deployment} (kept per connection profile)")
        self.link_button.clicked.connect(self.edit_template)
        layout.addWidget(self.open_button)
        layout.addWidget(self.link_button)
        self._update()

    def set_context(self, settings: DeploySettings | None,
                    record: DeploymentRecord | None) -> None:
        self.settings, self.record = settings, record
        self._update()

    def _update(self) -> None:
        template = self.settings.link_template if self.settings else ""
        self.open_button.setEnabled(self.record is not None and bool(template))
        self.open_button.setToolTip("Open the team's dashboard for this deployment" if template
                                    else "Set the dashboard link first (Link…)")
        self.link_button.setEnabled(self.settings is not None)

    def url(self) -> str:
        r = self.record
        if r is None or self.settings is None:
            return ""
        return dashboard_link(self.settings.link_template, r.model_name, r.version, r.name)

    def open_dashboard(self) -> None:
        url = self.url()
        if url:
            QDesktopServices.openUrl(QUrl(url))

    def set_template(self, template: str) -> str:
        """Keep the template for this profile; returns why it was refused ("" if kept)."""
        problem = check_link_template(template)
        if problem:
            self.message.emit(problem, True)
            return problem
        if self.settings is not None:
            self.settings.link_template = template.strip()
            self.message.emit("Dashboard link saved for this connection." if template.strip()
                              else "Dashboard link removed.", False)
        self._update()
        return ""

    def edit_template(self) -> None:
        current = self.settings.link_template if self.settings else ""
        text, ok = QInputDialog.getText(
            self, "Dashboard link",
            "URL of the team's dashboard; {model}, {version} and {deployment} are filled in:",
            QLineEdit.EchoMode.Normal, current or EXAMPLE)
        if ok:
            self.set_template(text)
