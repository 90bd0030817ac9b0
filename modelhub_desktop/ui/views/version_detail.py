"""The `versionDetail` pane: everything about one version and its source run.

The heading and the URI bar are elided widgets (names can be 200 characters long) with
the full text in their tooltips; the rest is HTML rendered by a pure function.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.core.formatting import fmt_duration, fmt_metric, fmt_ts
from modelhub_desktop.core.lineage import VersionLineage
from modelhub_desktop.ui.elided_label import ElidedLabel
from modelhub_desktop.ui.models.version_rows import run_deleted

RUN_DELETED_HINT = ("The source run was deleted in MLflow. Its params and metrics are shown "
                    "as they were logged; the run is gone from the MLflow UI.")


def _esc(value: object) -> str:
    return html.escape(str(value))


def _markdown_html(text: str) -> str:
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setMarkdown(text)
    body = doc.toHtml()
    start, end = body.find("<body"), body.rfind("</body>")
    if start == -1 or end == -1:
        return _esc(text)
    return body[body.find(">", start) + 1 : end]


def _table(rows: list[tuple[str, str]], headers: tuple[str, str]) -> str:
    if not rows:
        return "<p class='muted'>None.</p>"
    cells = "".join(f"<tr><td>{_esc(k)}</td><td>{_esc(v)}</td></tr>" for k, v in rows)
    return (
        "<table class='kv' cellspacing='0' cellpadding='3' width='100%'>"
        f"<tr><th align='left'>{_esc(headers[0])}</th><th align='left'>{_esc(headers[1])}</th></tr>"
        f"{cells}</table>"
    )


STYLE = """
<style>
 h2 { margin: 0 0 4px 0; }
 h3 { margin: 12px 0 4px 0; }
 td { vertical-align: top; }
 table.kv th { border-bottom: 1px solid palette(mid); }
 .muted { color: gray; }
 .badge { background-color: #2f6fb3; color: white; }
</style>
"""


def _lineage_html(lineage: VersionLineage | None, note: str) -> str:
    if lineage is None:
        return f"<h3>Schema</h3><p class='muted'>{_esc(note)}</p>" if note else ""
    parts = []
    cols = [(c.name, c.type + ("" if c.required else " (optional)")) for c in lineage.inputs]
    outs = [(c.name, c.type) for c in lineage.outputs]
    unknown = "<p class='muted'>unknown</p>"  # could not be read: not the same as empty
    parts.append("<h3>Input schema</h3>"
                 + (_table(cols, ("Column", "Type")) if lineage.schema_known else unknown))
    parts.append("<h3>Output schema</h3>"
                 + (_table(outs, ("Output", "Type")) if lineage.schema_known else unknown))
    rows = []
    if lineage.logged_model_id:
        rows.append(("Logged model", f"{lineage.logged_model_name} ({lineage.logged_model_id})"))
    if lineage.flavors:
        rows.append(("Flavors", ", ".join(lineage.flavors)))
    if lineage.artifact_location:
        rows.append(("Artifacts", lineage.artifact_location))
    if rows:
        parts.append("<h3>Lineage</h3>" + _table(rows, ("Field", "Value")))
    for problem in lineage.problems:
        parts.append(f"<p class='muted'>{_esc(problem)}</p>")
    return "".join(parts)


def render_version_html(
    version: ModelVersion, run: RunData | None, show_system_tags: bool = False,
    lineage: VersionLineage | None = None, lineage_note: str = "", run_url: str = "",
    key_filter: str = "",
) -> str:
    """HTML for the detail pane (pure function: easy to test, no widgets needed)."""
    v = version
    badges = " ".join(f"<span class='badge'>&nbsp;@{_esc(a)}&nbsp;</span>" for a in v.aliases)
    stage = (
        "" if v.current_stage in ("", "None") else f" &nbsp;stage: <b>{_esc(v.current_stage)}</b>"
    )
    parts = [STYLE]
    if badges or stage:
        parts.append(f"<p>{badges}{stage}</p>")
    overview = [
        ("Model URI", v.uri),
        ("Status", v.status + (f" ({v.status_message})" if v.status_message else "")),
        ("Registered at", fmt_ts(v.creation_timestamp)),
        ("Last modified", fmt_ts(v.last_updated_timestamp)),
        ("Created by", v.user_id or "—"),
        ("Source", v.source),
    ]
    if v.model_id:
        overview.append(("Logged model", v.model_id))
    parts.append(_table(overview, ("Field", "Value")))
    if v.description.strip():
        parts.append("<h3>Description</h3>" + _markdown_html(v.description))
    tags = sorted(
        (k, val) for k, val in v.tags.items() if show_system_tags or not k.startswith("mlflow.")
    )
    parts.append("<h3>Version tags</h3>" + _table(tags, ("Tag", "Value")))
    parts.append("<h3>Source run</h3>")
    if not v.run_id:
        parts.append("<p class='muted'>Registered from a path, not from a run.</p>")
    elif run is None:
        parts.append(
            f"<p class='muted'>Run {_esc(v.run_id)} no longer exists "
            "(deleted, or not visible to you).</p>"
        )
    else:
        deleted = run_deleted(run)
        if deleted:
            parts.append(f"<p>Run <b>{_esc(run.run_name)}</b> &nbsp;<b>run deleted</b></p>"
                         f"<p class='muted'>{_esc(RUN_DELETED_HINT)}</p>")
        else:
            link = f" &nbsp;<a href='{_esc(run_url)}'>Open in MLflow UI</a>" if run_url else ""
            parts.append(f"<p>Run <b>{_esc(run.run_name)}</b>{link}</p>")
        run_rows = [
            ("Run", f"{run.run_name} ({run.run_id})"),
            ("Experiment", f"{run.experiment_name} ({run.experiment_id})"),
            ("Status", run.status),
            ("Started", fmt_ts(run.start_time)),
            ("Ended", fmt_ts(run.end_time)),
            ("Duration", fmt_duration(run.duration_ms)),
        ]
        if run.parent_run_id:
            run_rows.append(("Parent run", run.parent_run_id))
        if run.lifecycle_stage != "active":
            run_rows.append(("Lifecycle", run.lifecycle_stage))
        parts.append(_table(run_rows, ("Field", "Value")))
        if run.datasets:
            ds_rows = [
                (d.name, f"{d.context or '-'} · digest {d.digest} · {d.source_type}")
                for d in run.datasets
            ]
            parts.append("<h3>Datasets</h3>" + _table(ds_rows, ("Dataset", "Used for")))
        needle = key_filter.strip().casefold()

        def keep(key: str) -> bool:
            return not needle or needle in key.casefold()

        metric_rows = [(k, fmt_metric(val)) for k, val in sorted(run.metrics.items()) if keep(k)]
        param_rows = [(k, val) for k, val in sorted(run.params.items()) if keep(k)]
        shown = f" matching “{_esc(key_filter)}”" if needle else ""
        parts.append(f"<h3>Metrics (latest){shown}</h3>"
                     + _table(metric_rows, ("Metric", "Value")))
        parts.append(f"<h3>Params{shown}</h3>" + _table(param_rows, ("Param", "Value")))
    parts.append(_lineage_html(lineage, lineage_note))
    return "".join(parts)


class VersionDetail(QWidget):
    """Shows one version; empty state when nothing is selected."""

    openRunRequested = Signal(str)  # noqa: N815
    downloadRequested = Signal(object, str)  # noqa: N815 - ModelVersion, folder

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("versionDetail")
        self._version: ModelVersion | None = None
        self._run: RunData | None = None
        self._lineage: VersionLineage | None = None
        self._note = ""
        self._run_url = ""
        self.online = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.heading = ElidedLabel(bold=True, point_delta=2, object_name="versionDetailHeading",
                                   max_hint=480)
        head.addWidget(self.heading, 1)
        self.deleted_marker = QLabel("run deleted")
        self.deleted_marker.setObjectName("runDeletedMarker")
        self.deleted_marker.setToolTip(RUN_DELETED_HINT)
        self.deleted_marker.setStyleSheet(
            "QLabel { color: white; background: #a33; border-radius: 3px; padding: 0 4px; }")
        self.deleted_marker.hide()
        head.addWidget(self.deleted_marker)
        layout.addLayout(head)
        bar = QHBoxLayout()
        self.uri_label = ElidedLabel(object_name="versionDetailUri", max_hint=160)
        self.copy_button = QPushButton("Copy URI")
        self.copy_button.setObjectName("copyUriButton")
        self.copy_button.setToolTip("Copy models:/<name>/<version> to the clipboard")
        self.copy_button.clicked.connect(self.copy_uri)
        self.key_filter = QLineEdit()
        self.key_filter.setObjectName("detailKeyFilter")
        self.key_filter.setPlaceholderText("Find param or metric")
        self.key_filter.setClearButtonEnabled(True)
        self.key_filter.setMaximumWidth(200)
        self.key_filter.textChanged.connect(lambda _t: self._render())
        self.system_tags = QCheckBox("MLflow tags")
        self.system_tags.setObjectName("showSystemTags")
        self.system_tags.setToolTip("Also show MLflow's own mlflow.* tags")
        self.system_tags.toggled.connect(lambda _on: self._render())
        self.download_button = QPushButton("Download artifacts…")
        self.download_button.setObjectName("downloadArtifactsButton")
        self.download_button.clicked.connect(self._ask_download)
        bar.addWidget(self.uri_label, 1)
        bar.addWidget(self.key_filter)
        bar.addWidget(self.system_tags)
        bar.addWidget(self.download_button)
        bar.addWidget(self.copy_button)
        layout.addLayout(bar)
        #: buttons for the write actions (aliases, stages, edits) go here
        self.actions_row = QHBoxLayout()
        layout.addLayout(self.actions_row)
        self.deployments_label = QLabel("")
        self.deployments_label.setObjectName("versionDeployments")
        self.deployments_label.setWordWrap(True)
        self.deployments_label.hide()
        layout.addWidget(self.deployments_label)
        self.browser = QTextBrowser()
        self.browser.setObjectName("versionDetailText")
        self.browser.setOpenExternalLinks(True)
        layout.addWidget(self.browser, 1)
        self.show_version(None, None)

    def show_version(self, version: ModelVersion | None, run: RunData | None,
                     lineage: VersionLineage | None = None, lineage_note: str = "",
                     run_url: str = "") -> None:
        same = version is not None and version == self._version
        self._version, self._run = version, run
        self._lineage, self._note, self._run_url = lineage, lineage_note, run_url
        self.copy_button.setEnabled(version is not None)
        self.download_button.setEnabled(version is not None and self.online)
        deleted = version is not None and run_deleted(run)
        self.deleted_marker.setVisible(deleted)
        if version is None:
            self.heading.setText("")
            self.uri_label.setText("")
            self.browser.setHtml("<p style='color:gray'>Select a version to see its details.</p>")
            return
        self.heading.setText(f"{version.model_name}  v{version.version}",
                             tooltip=f"{version.model_name} v{version.version}"
                             + (" (run deleted)" if deleted else ""))
        self.uri_label.setText(version.uri)
        self._render(keep_scroll=same)

    def _render(self, keep_scroll: bool = True) -> None:
        if self._version is None:
            return
        bar = self.browser.verticalScrollBar()
        position = bar.value() if keep_scroll else 0
        self.browser.setHtml(render_version_html(
            self._version, self._run, show_system_tags=self.system_tags.isChecked(),
            lineage=self._lineage, lineage_note=self._note, run_url=self._run_url,
            key_filter=self.key_filter.text()))
        bar.setValue(position)

    def set_deployments(self, text: str) -> None:
        """The line naming this version's deployments ("" hides it)."""
        self.deployments_label.setText(text)
        self.deployments_label.setVisible(bool(text))

    def set_online(self, online: bool) -> None:
        """Downloads need the server; say why the button is disabled."""
        self.online = online
        self.download_button.setEnabled(online and self._version is not None)
        self.download_button.setToolTip(
            "Save this version's files to a folder" if online
            else "Offline: downloading artifacts needs a connection to the server")

    def _ask_download(self) -> None:
        if self._version is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Download artifacts to")
        if folder:
            self.downloadRequested.emit(self._version, folder)

    def copy_uri(self) -> None:
        if self._version is not None:
            QGuiApplication.clipboard().setText(self._version.uri)

    @property
    def version(self) -> ModelVersion | None:
        return self._version
