"""The `connectionDialog`: add, edit, duplicate, remove, test and save connection profiles.

It opens on the active connection; one that is not a saved profile (opened with
`--tracking-uri`, or from MLflow's environment variables) can be kept with "Save as
profile…". Secrets typed here are kept by the one secret-storage flow
(`secret_storage.keep_secret`) under the rules of `core.secret_policy`, never in the
profiles file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.connection import test_connection
from modelhub_desktop.core.domain import Profile, ServerInfo
from modelhub_desktop.core.errors import Cancelled, ModelHubError
from modelhub_desktop.core.profiles import ProfileStore, label, validate
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.secret_policy import after_save, credentials_for
from modelhub_desktop.core.secrets import SecretStore
from modelhub_desktop.core.tracking_uri import name_from_uri
from modelhub_desktop.ui.dialogs.profile_form import ProfileForm
from modelhub_desktop.ui.dialogs.secret_storage import keep_secret
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.tasks import TaskRunner

NEW_ITEM = "＋ New profile…"
#: Combo data of the active connection when it is not a saved profile.
ACTIVE_UNSAVED = "\x00active"
_READ_ONLY = ("local", "environment", "command-line")


class ConnectionDialog(QDialog):
    """Profiles: pick, edit, test, save; `selected_profile()` after `exec()` accepted."""

    profilesChanged = Signal()  # noqa: N815 - Qt naming

    def __init__(
        self,
        store: ProfileStore,
        secrets: SecretStore,
        runner: TaskRunner,
        current: Profile | str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connectionDialog")
        self.setWindowTitle("Connections")
        self.setMinimumWidth(620)
        self.store, self.secrets, self.runner = store, secrets, runner
        self._selected: Profile | None = None
        self._editing: Profile | None = None  # the profile the form shows, if any
        self._copied_from: Profile | None = None  # set by Duplicate / Save as until saved
        # the active connection when no saved profile holds it (shown first in the list)
        self._unsaved: Profile | None = None
        if isinstance(current, Profile):
            if store.get(current.name) != current:
                self._unsaved = current
            current = current.name if self._unsaved is None else ACTIVE_UNSAVED

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        combo_label = QLabel("&Profile:")
        top.addWidget(combo_label)
        self.combo = QComboBox()
        self.combo.setObjectName("profileCombo")
        self.combo.setAccessibleName("Profile")
        combo_label.setBuddy(self.combo)
        self.combo.currentIndexChanged.connect(self._on_pick)
        top.addWidget(self.combo, 1)
        self.add_button = self._button("&Add", "addProfileButton", self._add)
        self.duplicate_button = self._button("D&uplicate", "duplicateProfileButton",
                                             self._duplicate)
        self.remove_button = self._button("&Remove", "removeProfileButton", self._remove)
        for button in (self.add_button, self.duplicate_button, self.remove_button):
            top.addWidget(button)
        layout.addLayout(top)

        self.form = ProfileForm()
        layout.addWidget(self.form)
        self.save_as_button = self._button("Save as &profile…", "saveAsProfileButton",
                                           self._save_as_profile)
        save_as_row = QHBoxLayout()
        save_as_row.addWidget(self.save_as_button)
        save_as_row.addStretch(1)
        layout.addLayout(save_as_row)

        test_row = QHBoxLayout()
        self.test_button = self._button("&Test connection", "testConnectionButton", self.test)
        test_row.addWidget(self.test_button)
        self.busy = QProgressBar()
        self.busy.setObjectName("testBusy")
        self.busy.setRange(0, 0)  # indeterminate
        self.busy.setMaximumWidth(90)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Testing the connection")
        self.busy.hide()
        test_row.addWidget(self.busy)
        self.result_label = QLabel("")
        self.result_label.setObjectName("testResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row.addWidget(self.result_label, 1)
        layout.addLayout(test_row)
        layout.addWidget(self.form.note)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Sa&ve", QDialogButtonBox.ButtonRole.ApplyRole)
        self.save_button.setObjectName("saveProfileButton")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.connect_button = self.buttons.addButton(
            "Co&nnect", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.connect_button.setObjectName("connectButton")
        self.connect_button.setDefault(True)  # Enter = Connect
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)  # Esc = Cancel (QDialog), via reject()
        self.buttons.accepted.connect(self._connect)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        chain: list[QWidget] = [
            self.combo, self.add_button, self.duplicate_button, self.remove_button,
            *self.form.tab_chain(), self.save_as_button, self.test_button, self.save_button,
            self.connect_button, cancel,
        ]  # fmt: skip
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        self._fill_combo(current)
        problems = [p for p in (store.problem, secrets.problem) if p]
        if problems:
            self._show_result(False, " ".join(problems))
        self.combo.setFocus()

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- profile list ------------------------------------------------------------------------
    def _fill_combo(self, select: str | None) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        if self._unsaved is not None:
            origin = "from --tracking-uri" if self._unsaved.source == "command-line" else "active"
            self.combo.addItem(f"{self._unsaved.name} ({origin}, not saved)", ACTIVE_UNSAVED)
        for p in self.store.list():
            self.combo.addItem(label(p), p.name)
        self.combo.addItem(NEW_ITEM, None)
        index = max(0, self.combo.findData(select)) if select else 0
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        self._on_pick(index)

    def _on_pick(self, index: int) -> None:
        key = self.combo.itemData(index)
        profile = self.store.get(key) if key and key != ACTIVE_UNSAVED else None
        if key == ACTIVE_UNSAVED:
            profile = self._unsaved
        self._editing = profile
        self._copied_from = None
        self._load(profile or Profile(name="", tracking_uri="https://"))
        self._end_test()
        self.result_label.setText("")
        if profile is None:
            self.form.name.setFocus()

    def _load(self, p: Profile) -> None:
        read_only = p.source in _READ_ONLY
        self.form.load(p, editable=not read_only,
                       stored=self._editing is not None and p.source == "config")
        self.save_button.setEnabled(not read_only)
        self.remove_button.setEnabled(p.source == "config" and self._editing is not None)
        self.duplicate_button.setEnabled(bool(p.name))
        self.save_as_button.setVisible(p.source in ("environment", "command-line"))

    # -- the form as a profile ---------------------------------------------------------------
    def is_builtin(self) -> bool:
        """The form shows a profile that cannot be edited (built-in, or not saved)."""
        return self._editing is not None and self._editing.source in _READ_ONLY

    def form_profile(self) -> Profile:
        if self._editing is not None and self.is_builtin():
            return self._editing
        return self.form.profile()

    # -- actions ---------------------------------------------------------------------------
    def test(self) -> None:
        """Run `test_connection` off the UI thread; the result label says what happened."""
        profile = self.form_profile()
        try:
            validate(profile)
        except ModelHubError as exc:
            self._show_result(False, str(exc))
            return
        typed = self.form.typed_secret(profile)
        candidates = (self._editing, self._copied_from)
        secrets = self.secrets
        self.test_button.setEnabled(False)
        self.busy.show()
        self._show_result(None, f"Testing {profile.tracking_uri}…")

        def work(ctx: TaskContext) -> ServerInfo:
            creds = credentials_for(secrets, profile, typed, candidates)
            ctx.check()
            return test_connection(profile, creds)

        self.runner.submit(
            work,
            key=TaskKey.TEST_CONNECTION,
            scope=id(self),
            owner=self,
            description="test connection",
            on_result=lambda info: self._on_test_ok(profile, info),
            on_error=self._on_test_failed,
        )

    def _end_test(self) -> None:
        self.runner.cancel(TaskKey.TEST_CONNECTION, id(self))  # a late result is dropped
        self.test_button.setEnabled(True)
        self.busy.hide()

    def _on_test_ok(self, profile: Profile, info: ServerInfo) -> None:
        self._end_test()
        noun = "model" if info.model_count == 1 else "models"
        if profile.is_remote:
            text = f"Connected: MLflow {info.server_version}, {info.model_count} registered {noun}."
        else:
            text = f"Store ready: {info.server_version}, {info.model_count} registered {noun}."
        self._show_result(True, text)

    def _on_test_failed(self, error: ModelHubError) -> None:
        if isinstance(error, Cancelled):
            return
        self._end_test()
        self._show_result(False, f"{error.title}: {error}")

    def _show_result(self, ok: bool | None, text: str) -> None:
        color = {True: "#1a7f37", False: "#b00020", None: "palette(text)"}[ok]
        self.result_label.setStyleSheet(f"color: {color};")
        self.result_label.setText(text)

    def save(self) -> Profile | None:
        """Save the form (its secret kept by the secret-storage flow); the saved profile."""
        profile = self.form_profile()
        if self.is_builtin():
            return profile
        editing, copied_from = self._editing, self._copied_from
        if editing is None and self.store.get(profile.name) is not None:
            self._show_result(False, f"A profile named {profile.name!r} already exists.")
            return None
        typed = self.form.typed_secret(profile)
        try:
            saved = self.store.upsert(profile, old_name=editing.name if editing else None)
        except ModelHubError as exc:
            self._show_result(False, str(exc))
            return None
        outcome = after_save(self.secrets, saved, typed, editing=editing,
                             copied_from=copied_from)
        kept = not outcome.keep_typed or keep_secret(
            self, self.secrets, saved, typed, memory=self.store
        )
        self.profilesChanged.emit()
        self._fill_combo(saved.name)
        if not kept:
            self._show_result(False, f"Saved profile {saved.name}, without its secret.")
            return None
        self._show_result(True, f"Saved profile {saved.name}. {outcome.note}".strip())
        return saved

    def _add(self) -> None:
        self.combo.setCurrentIndex(self.combo.count() - 1)  # "New profile…" -> _on_pick

    def _edit_copy(self, base: Profile, name: str, message: str) -> None:
        """Turn the form into a new, editable profile made from `base`."""
        source = self._editing
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(self.combo.count() - 1)
        self.combo.blockSignals(False)
        self._editing = None
        self._load(replace(base, name=name, source="config"))
        self._copied_from = source
        self._end_test()
        self._show_result(None, message)
        self.form.name.setFocus()
        self.form.name.selectAll()

    def _free_name(self, base: str) -> str:
        existing = {p.name.casefold() for p in self.store.list()}
        name, n = base, 2
        while name.casefold() in existing:
            name, n = f"{base} {n}", n + 1
        return name

    def _duplicate(self) -> None:
        base = self.form_profile()
        self._edit_copy(base, self._free_name(f"{base.name} copy"),
                        "Copy: change what differs, then Save.")

    def _save_as_profile(self) -> None:
        """Keep the active unsaved connection (or the Environment one) as a profile."""
        base = self.form_profile()
        self._edit_copy(base, self._free_name(name_from_uri(base.tracking_uri)),
                        "Name the profile, then Save.")

    def _remove(self) -> None:
        if self._editing is None or self._editing.source != "config":
            return
        name = self._editing.name
        answer = QMessageBox.question(
            self, "Remove profile", f"Remove the profile “{name}” and its stored secret?"
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.secrets.delete(self._editing)
        try:
            self.store.remove(name)
        except ModelHubError as exc:
            self._show_result(False, str(exc))
            return
        self.profilesChanged.emit()
        self._fill_combo(None)

    def _connect(self) -> None:
        if self._editing is not None and self.is_builtin():
            profile: Profile | None = self._editing
        else:
            dirty = (
                self._editing is None
                or self.form_profile() != self._editing
                or self.form.has_typed_secret()
            )
            profile = self.save() if dirty else self._editing
        if profile is None:
            return
        self._selected = profile
        self.accept()

    def done(self, result: int) -> None:
        self._end_test()
        super().done(result)

    def selected_profile(self) -> Profile | None:
        return self._selected

