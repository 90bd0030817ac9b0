"""The fields of one connection profile, as the connection dialog shows and edits them.

Password and token fields are never filled from storage: a stored secret is only said
to exist ("leave empty to keep the stored one").
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.domain import Credentials, Profile

AUTH_LABELS = [("none", "None"), ("basic", "User and password"), ("token", "Bearer token")]
S3_LABEL = "S3 endpoint URL (S3-compatible artifact stores)"
KEYCHAIN_NOTE = "Passwords and tokens are kept in the system keychain, never in a file."
_NOTES = {
    "local": "Built-in embedded registry: read only. Duplicate it to make an editable copy.",
    "environment": (
        "From MLflow's environment variables (MLFLOW_TRACKING_URI, "
        "MLFLOW_TRACKING_USERNAME/PASSWORD or TOKEN): read only. Save as profile… keeps a "
        "copy that works without the variables."
    ),
    "command-line": (
        "Opened with --tracking-uri and not saved: read only. Save as profile… keeps it "
        "(and lets you add a user and password)."
    ),
}


class ProfileForm(QWidget):
    """Name, address, authentication, TLS and advanced fields of one profile."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source = "config"
        self._registry_uri = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setObjectName("profileName")
        self.uri = QLineEdit()
        self.uri.setObjectName("trackingUri")
        self.uri.setPlaceholderText("https://mlflow.example.com  or  sqlite:////path/mlflow.db")
        self.auth = QComboBox()
        self.auth.setObjectName("authKind")
        for key, text in AUTH_LABELS:
            self.auth.addItem(text, key)
        self.auth.currentIndexChanged.connect(self._update_auth_fields)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.token = QLineEdit()
        self.token.setObjectName("token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        ca_row = QHBoxLayout()
        self.ca_bundle = QLineEdit()
        self.ca_bundle.setObjectName("caBundle")
        self.ca_bundle.setPlaceholderText("optional: PEM file of the CA that signed the server")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setObjectName("browseCaButton")
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self._browse_ca)
        ca_row.addWidget(self.ca_bundle, 1)
        ca_row.addWidget(self.browse_button)
        self.insecure = QCheckBox("S&kip TLS verification")
        self.insecure.setObjectName("insecureTls")
        self.insecure.toggled.connect(self._update_warning)
        self.insecure_warning = QLabel(
            "⚠ The server's identity will not be checked: anyone on the network path could "
            "pose as the server and read your password or token. Use only on a network you "
            "trust."
        )
        self.insecure_warning.setObjectName("insecureWarning")
        self.insecure_warning.setWordWrap(True)
        self.insecure_warning.setStyleSheet("color: #a15c00;")
        self.ui_url = QLineEdit()
        self.ui_url.setObjectName("uiUrl")
        self.ui_url.setPlaceholderText("optional: MLflow web UI address, if not the tracking URI")
        self.s3_endpoint = QLineEdit()
        self.s3_endpoint.setObjectName("s3EndpointUrl")
        self.s3_endpoint.setAccessibleName(S3_LABEL)
        self.s3_endpoint.setPlaceholderText("optional: e.g. https://minio.example.com:9000")
        form.addRow("&Name", self.name)
        form.addRow("Tracking &URI", self.uri)
        form.addRow("Au&thentication", self.auth)
        form.addRow("U&ser", self.username)
        form.addRow("Pass&word", self.password)
        form.addRow("T&oken", self.token)
        ca_label = QLabel("&CA bundle")  # a row holding a layout gets no automatic buddy
        ca_label.setBuddy(self.ca_bundle)
        form.addRow(ca_label, ca_row)
        form.addRow("", self.insecure)
        form.addRow("", self.insecure_warning)
        form.addRow("&Web UI", self.ui_url)
        form.addRow(S3_LABEL, self.s3_endpoint)
        self.layout_form = form
        outer.addLayout(form)
        self.note = QLabel("")
        self.note.setObjectName("profileNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: gray;")
        self.editable_widgets: list[QWidget] = [
            self.name, self.uri, self.auth, self.username, self.password, self.token,
            self.ca_bundle, self.browse_button, self.insecure, self.ui_url, self.s3_endpoint,
        ]  # fmt: skip

    def tab_chain(self) -> list[QWidget]:
        return list(self.editable_widgets)

    def load(self, p: Profile, *, editable: bool, stored: bool) -> None:
        """Show `p`; `stored` says a secret may be stored for it (placeholder text)."""
        self._source = p.source
        self.name.setText(p.name)
        self.uri.setText(p.tracking_uri)
        self.auth.setCurrentIndex(max(0, self.auth.findData(p.auth)))
        self.username.setText(p.username)
        self.password.clear()
        self.token.clear()
        self.ca_bundle.setText(p.ca_bundle)
        self.insecure.setChecked(p.insecure_tls)
        self.ui_url.setText(p.ui_url)
        self.s3_endpoint.setText(p.s3_endpoint_url)
        self._registry_uri = p.registry_uri
        for w in self.editable_widgets:
            w.setEnabled(editable)
        hint = "leave empty to keep the stored one" if stored else "kept in the system keychain"
        self.password.setPlaceholderText(hint)
        self.token.setPlaceholderText(hint)
        self._update_auth_fields()
        self._update_warning()

    def profile(self) -> Profile:
        """The fields as an (unvalidated) saved profile."""
        return Profile(
            name=self.name.text().strip(),
            tracking_uri=self.uri.text().strip(),
            auth=self.auth.currentData(),
            username=self.username.text().strip(),
            ca_bundle=self.ca_bundle.text().strip(),
            insecure_tls=self.insecure.isChecked(),
            ui_url=self.ui_url.text().strip(),
            source="config",
            s3_endpoint_url=self.s3_endpoint.text().strip(),
            registry_uri=self._registry_uri,
        )

    def typed_secret(self, profile: Profile) -> Credentials:
        if profile.auth == "basic":
            return Credentials(password=self.password.text())
        if profile.auth == "token":
            return Credentials(token=self.token.text().strip())
        return Credentials()

    def has_typed_secret(self) -> bool:
        return bool(self.password.text() or self.token.text())

    def _update_auth_fields(self) -> None:
        kind = self.auth.currentData()
        for widget, visible in (
            (self.username, kind == "basic"),
            (self.password, kind == "basic"),
            (self.token, kind == "token"),
        ):
            widget.setVisible(visible)
            label = self.layout_form.labelForField(widget)
            if label is not None:
                label.setVisible(visible)
        if self._source in _NOTES:
            self.note.setText(_NOTES[self._source])
        else:
            self.note.setText(KEYCHAIN_NOTE if kind != "none" else "")

    def _update_warning(self) -> None:
        self.insecure_warning.setVisible(self.insecure.isChecked())

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "CA bundle", "", "Certificates (*.pem *.crt *.cer);;All files (*)"
        )
        if path:
            self.ca_bundle.setText(path)
            self.insecure.setChecked(False)
