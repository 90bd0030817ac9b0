"""Save a model card (Markdown, HTML or PDF) or an audit report (CSV or HTML) to a file, and
the card export dialog (where to save it, and whether to log it to the version's run too).

PDF goes through Qt's own print support: the HTML laid out by a QTextDocument and printed
to a QPrinter in PDF mode, so no browser or extra library is needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from modelhub_desktop.ui.elided_label import ElidedLabel

CARD_FILTERS = "HTML (*.html);;Markdown (*.md);;PDF (*.pdf)"
REPORT_FILTERS = "CSV (*.csv);;HTML (*.html)"


def write_pdf(html: str, path: str | Path) -> Path:
    """Print `html` to a PDF file (A4, Qt's rich-text layout)."""
    from PySide6.QtGui import QPageSize, QTextDocument
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setOutputFileName(str(path))
    doc = QTextDocument()
    doc.setHtml(html)
    doc.print_(printer)
    return Path(path)


def save_card(html: str, markdown: str, path: str | Path) -> Path:
    """Write the card in the format the file's suffix names (.md, .pdf, else HTML)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".pdf":
        return write_pdf(html, target)
    target.write_text(markdown if suffix == ".md" else html, encoding="utf-8")
    return target


def save_report(csv_text: str, html: str, path: str | Path) -> Path:
    target = Path(path)
    target.write_text(csv_text if target.suffix.lower() == ".csv" else html,
                      encoding="utf-8", newline="")
    return target


def ask_path(parent: Any, title: str, default_name: str, filters: str) -> str:
    """The file the user picked ("" when cancelled), with the chosen filter's suffix."""
    path, chosen = QFileDialog.getSaveFileName(parent, title, default_name, filters)
    if path and not Path(path).suffix:
        path += "." + chosen.split("*.")[-1].rstrip(")")
    return path


def safe_file_name(text: str, limit: int = 80) -> str:
    clean = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)
    return clean[:limit] or "model"


class CardExportDialog(QDialog):
    """Where to save a version's card, and whether to log it under `model_card/` of the
    version's run (`upload_why` says why that is not possible, "" when it is)."""

    def __init__(self, title: str, default_path: str, upload_why: str = "",
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardExportDialog")
        self.setWindowTitle("Model card")
        heading = ElidedLabel(title, bold=True, object_name="cardExportTitle", max_hint=480)
        self.path = QLineEdit(default_path)
        self.path.setObjectName("cardExportPath")
        self.path.setPlaceholderText("Do not save a file")
        self.path.setToolTip("A .html, .md or .pdf file; empty to only log the card to the run")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.upload = QCheckBox("Also log the card (HTML and Markdown) to the version's run, "
                                "under model_card/")
        self.upload.setObjectName("cardExportUpload")
        self.upload.setEnabled(not upload_why)
        self.upload.setToolTip(upload_why or "Anyone who opens the run sees the card.")
        self.why = QLabel(upload_why)
        self.why.setWordWrap(True)
        self.why.setVisible(bool(upload_why))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(row)
        layout.addWidget(self.upload)
        layout.addWidget(self.why)
        layout.addWidget(self.buttons)
        self.path.textChanged.connect(self._update)
        self.upload.toggled.connect(self._update)
        self.resize(560, self.sizeHint().height())
        self._update()

    def _browse(self) -> None:
        path = ask_path(self, "Save model card", self.path.text(), CARD_FILTERS)
        if path:
            self.path.setText(path)

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.file_path()) or self.wants_upload())

    def file_path(self) -> str:
        return self.path.text().strip()

    def wants_upload(self) -> bool:
        return self.upload.isEnabled() and self.upload.isChecked()
