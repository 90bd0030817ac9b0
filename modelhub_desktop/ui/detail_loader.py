"""What the detail pane needs from the server: schema and lineage, artifact downloads."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from modelhub_desktop.core.domain import ModelVersion
from modelhub_desktop.core.errors import ModelHubError
from modelhub_desktop.core.formatting import elide_middle
from modelhub_desktop.core.lineage import (
    VersionLineage,
    download_version_artifacts,
    mlflow_ui_url,
    version_lineage,
)
from modelhub_desktop.ui.models.version_table_model import VersionRow
from modelhub_desktop.ui.session_controller import SessionController
from modelhub_desktop.ui.status import AppStatusBar
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.views.version_detail import VersionDetail


class DetailLoader(QObject):
    """Shows a version in the detail pane at once, then its lineage when it arrives."""

    def __init__(self, controller: SessionController, detail: VersionDetail,
                 status: AppStatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller, self._detail, self._status = controller, detail, status
        detail.downloadRequested.connect(self.download)

    def show(self, row: VersionRow | None) -> None:
        if row is None:
            return
        c = self._controller
        run_url = mlflow_ui_url(c.profile, row.run)
        online = c.can_write
        note = "Loading schema…" if online else "Schema and lineage need a connection."
        self._detail.show_version(row.version, row.run, lineage_note=note, run_url=run_url)
        if not online or c.session is None:
            return
        gateway, version = c.session.gateway, row.version

        def shown(lineage: VersionLineage) -> None:
            if self._detail.version == version:
                self._detail.show_version(version, row.run, lineage=lineage, run_url=run_url)

        def failed(error: ModelHubError) -> None:
            if self._detail.version == version:
                self._detail.show_version(version, row.run, lineage_note=str(error),
                                          run_url=run_url)

        c.runner.submit(lambda task: version_lineage(gateway, version), key=TaskKey.LINEAGE,
                        owner=self, description="load schema and lineage",
                        on_result=shown, on_error=failed)

    def download(self, version: ModelVersion, folder: str) -> None:
        c = self._controller
        if c.session is None:
            return
        gateway, status = c.session.gateway, self._status
        uri = elide_middle(version.uri, 80)  # the status bar does not elide by itself
        status.set_busy(True)
        status.showMessage(f"Downloading {uri}…")

        def done(path: object) -> None:
            status.set_busy(False)
            status.showMessage(f"Saved to {path}", 15000)

        def failed(error: ModelHubError) -> None:
            status.set_busy(False)
            status.showMessage(f"Download stopped: {error}", 15000)

        c.runner.submit(
            lambda task: download_version_artifacts(gateway, version, Path(folder), task),
            key=TaskKey.DOWNLOAD, owner=self, description=f"download {version.uri}",
            on_progress=lambda d, t, m: status.set_progress(
                d, t, f"Downloading {uri}: {d}/{t} {m}"),
            on_result=done, on_error=failed)
