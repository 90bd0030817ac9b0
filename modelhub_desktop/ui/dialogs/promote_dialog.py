"""The `promoteDialog`: the current holder of an alias and the candidate, side by side.

Metric differences with the better value marked (direction as in the version table),
params that differ, signature differences (columns added, removed, retyped) and the
deployments serving the current holder; an optional reason goes into the audit entry.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
)

from modelhub_desktop.core.formatting import fmt_metric, fmt_ts
from modelhub_desktop.core.promotion import MetricDiff, PromotionPreview, SignatureDiff

BETTER = "color:#1b7f3b; font-weight:bold;"
WORSE = "color:#555;"
STYLE = """<style>
 h3 { margin: 10px 0 4px 0; }
 th { text-align: left; border-bottom: 1px solid #999; padding: 2px 8px; }
 td { padding: 2px 8px; }
 .muted { color: #666; }
 .warn { color: #9a4b00; font-weight: bold; }
</style>"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _metric_cell(value: float | None, better: bool) -> str:
    if value is None:
        return "<td class='muted'>—</td>"
    text = _e(fmt_metric(value))
    return f"<td style='{BETTER}'>▲ {text}</td>" if better else f"<td>{text}</td>"


def _metric_row(d: MetricDiff) -> str:
    arrow = "higher is better" if d.direction == "max" else "lower is better"
    return (f"<tr><td>{_e(d.key)}</td>{_metric_cell(d.current, d.better == 'current')}"
            f"{_metric_cell(d.candidate, d.better == 'candidate')}"
            f"<td class='muted'>{arrow}</td></tr>")


def _signature(label: str, diff: SignatureDiff) -> str:
    if not diff.known:
        return f"<p><b>{label}:</b> <span class='muted'>{_e(diff.note)}</span></p>"
    if diff.same:
        return f"<p><b>{label}:</b> same columns and types.</p>"
    items = [f"<li>added <b>{_e(c.name)}</b> ({_e(c.type)})</li>" for c in diff.added]
    items += [f"<li class='warn'>removed <b>{_e(c.name)}</b> ({_e(c.type)})</li>"
              for c in diff.removed]
    items += [f"<li class='warn'>retyped <b>{_e(n)}</b>: {_e(a)} → {_e(b)}</li>"
              for n, a, b in diff.retyped]
    return f"<p><b>{label}:</b></p><ul>{''.join(items)}</ul>"


def render_preview_html(p: PromotionPreview) -> str:
    """The comparison as HTML (a pure function: tests read it)."""
    cur = f"v{p.current.version}" if p.current else "nobody"
    cand = f"v{p.candidate.version}"
    parts = [STYLE]
    head_cur = (f"<b>{cur}</b><br><span class='muted'>registered "
                f"{_e(fmt_ts(p.current.creation_timestamp))}</span>" if p.current
                else "<span class='muted'>No version holds the alias yet.</span>")
    parts.append(
        "<table width='100%'><tr>"
        f"<th width='50%'>Current @{_e(p.alias)}</th><th>Candidate</th></tr>"
        f"<tr><td>{head_cur}</td><td><b>{cand}</b><br><span class='muted'>registered "
        f"{_e(fmt_ts(p.candidate.creation_timestamp))}</span></td></tr></table>")
    parts.append("<h3>Metrics</h3>")
    if p.metrics:
        wins = sum(d.better == "candidate" for d in p.metrics)
        losses = sum(d.better == "current" for d in p.metrics)
        parts.append(f"<p>{cand} is better on {wins}, worse on {losses} of "
                     f"{len(p.metrics)} metrics (▲ marks the better value).</p>")
        parts.append(f"<table><tr><th>Metric</th><th>{cur}</th><th>{cand}</th><th></th></tr>"
                     + "".join(_metric_row(d) for d in p.metrics) + "</table>")
    else:
        parts.append("<p class='muted'>Neither version has metrics.</p>")
    parts.append("<h3>Params that differ</h3>")
    if p.params:
        rows = "".join(
            f"<tr><td>{_e(d.key)}</td><td>{_e(d.current) if d.current is not None else '—'}"
            f"</td><td>{_e(d.candidate) if d.candidate is not None else '—'}</td></tr>"
            for d in p.params)
        parts.append(f"<table><tr><th>Param</th><th>{cur}</th><th>{cand}</th></tr>{rows}"
                     "</table>")
    else:
        parts.append("<p class='muted'>All params are the same.</p>")
    parts.append("<h3>Signature</h3>")
    parts.append(_signature("Inputs", p.inputs) + _signature("Outputs", p.outputs))
    parts.append(f"<h3>Deployments serving {cur}</h3>")
    if p.deployments:
        parts.append("<ul>" + "".join(f"<li>{_e(d)}</li>" for d in p.deployments) + "</ul>")
    else:
        parts.append("<p class='muted'>No deployments known.</p>")
    return "".join(parts)


class PromoteDialog(QDialog):
    """Confirm moving an alias to a candidate version; `reason()` after accept."""

    def __init__(self, preview: PromotionPreview, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("promoteDialog")
        self.preview = preview
        cand = f"v{preview.candidate.version}"
        self.setWindowTitle(f"Promote {cand} to @{preview.alias}")
        self.resize(720, 640)
        layout = QVBoxLayout(self)
        heading = QLabel(f"Move <b>@{_e(preview.alias)}</b> of <b>{_e(preview.model_name)}"
                         f"</b> to <b>{cand}</b>?")
        heading.setObjectName("promoteHeading")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.browser = QTextBrowser()
        self.browser.setObjectName("promoteComparison")
        self.browser.setHtml(render_preview_html(preview))
        layout.addWidget(self.browser, 1)
        layout.addWidget(QLabel("Reason (kept in the audit trail on the server):"))
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("promoteReason")
        self.reason_edit.setPlaceholderText("optional, e.g. “better AUC on the March data”")
        layout.addWidget(self.reason_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm = buttons.addButton(f"Promote {cand}",
                                         QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("promoteConfirm")
        self.confirm.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def reason(self) -> str:
        return self.reason_edit.text().strip()
