"""The `tryItPanel`: send JSON to a deployment and read its answer, status and latency;
side by side, the same input sent to another deployment and the two answers compared.

The editor starts from the served version's `serving_input_example.json` (or a skeleton
when the version was logged without one); the user may edit it. Malformed JSON is
caught here, with the line and column, before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from modelhub_desktop.core.deploy.answers import compare_answers
from modelhub_desktop.core.deploy.base import RUNNING, DeploymentRecord, Prediction
from modelhub_desktop.core.errors import Cancelled, ModelHubError
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.tasks import TaskRunner

SKELETON = '{\n  "dataframe_split": {\n    "columns": ["x"],\n    "data": [[0.0]]\n  }\n}'
NO_EXAMPLE = ("This version was logged without an input example: write the request here "
              "(dataframe_split, dataframe_records, instances or inputs).")
OK_STYLE = "QLabel { color: #1e8232; font-weight: bold; }"
BAD_STYLE = "QLabel { color: #b00020; font-weight: bold; }"

#: (served deployment) -> the example JSON text of the version it serves, or None
ExampleLoader = Callable[[DeploymentRecord], str | None]
#: (deployment, payload) -> the prediction, on a worker
Predict = Callable[[DeploymentRecord, object], Prediction]


def parse_payload(text: str) -> tuple[object, str]:
    """(payload, "") or (None, why it is not valid JSON)."""
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        return None, f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."


def describe(prediction: Prediction) -> str:
    """ "200 · 12 ms" or "400 · 8 ms · the server's message"."""
    head = f"{prediction.status or 'no answer'} · {prediction.latency_ms:.0f} ms"
    return f"{head} · {prediction.error}" if prediction.error else head


def _flat(value: object) -> bool:
    return not isinstance(value, (dict, list)) or (
        isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value))


def pretty(body: object, indent: str = "") -> str:
    """JSON indented by level, with lists of plain values (a row, the predictions) kept
    on one line: a request of 50 rows reads as 50 lines, not 300."""
    if isinstance(body, str) and not indent:
        return body
    inner = indent + "  "
    if isinstance(body, dict) and body:
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {pretty(v, inner)}"
                 for k, v in body.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(body, list) and body and not _flat(body):
        return "[\n" + ",\n".join(inner + pretty(v, inner) for v in body) + f"\n{indent}]"
    return json.dumps(body, ensure_ascii=False, default=str)


def _mono() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class _Side(QWidget):
    """One answer: a heading, the status line and the response body."""

    def __init__(self, object_name: str, heading: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(heading)
        self.heading.setObjectName(f"{object_name}Heading")
        self.status = QLabel("")
        self.status.setObjectName(f"{object_name}Status")
        self.status.setWordWrap(True)
        self.response = QPlainTextEdit()
        self.response.setObjectName(object_name)
        self.response.setReadOnly(True)
        self.response.setFont(_mono())
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(self.response, 1)
        self.answer: Prediction | None = None

    def clear(self, status: str = "") -> None:
        self.answer = None
        self.status.setText(status)
        self.status.setStyleSheet("")
        self.response.setPlainText("")

    def show_answer(self, prediction: Prediction) -> None:
        self.answer = prediction
        self.status.setText(describe(prediction))
        self.status.setStyleSheet(OK_STYLE if not prediction.error else BAD_STYLE)
        self.response.setPlainText(pretty(prediction.body))

    def show_error(self, text: str) -> None:
        self.answer = None
        self.status.setText(text)
        self.status.setStyleSheet(BAD_STYLE)
        self.response.setPlainText("")


class TryItPanel(QWidget):
    """Try a deployment with JSON; compare with a second one."""

    def __init__(self, runner: TaskRunner, predict: Predict, load_example: ExampleLoader,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tryItPanel")
        self.runner, self.predict, self.load_example = runner, predict, load_example
        self.record: DeploymentRecord | None = None
        self.others: list[DeploymentRecord] = []
        self._example_text = ""  # what was loaded, to tell user edits from it

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.target_label = QLabel("Choose a deployment above.")
        self.target_label.setObjectName("tryItTarget")
        self.target_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                        QSizePolicy.Policy.Preferred)
        bar.addWidget(self.target_label, 1)
        bar.addWidget(QLabel("Also send to:"))
        self.compare_combo = QComboBox()
        self.compare_combo.setObjectName("tryItCompareCombo")
        self.compare_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.compare_combo.setMinimumContentsLength(22)
        bar.addWidget(self.compare_combo)
        self.example_button = QPushButton("Example")
        self.example_button.setToolTip("Put the version's serving input example back")
        self.example_button.setObjectName("tryItExample")
        self.example_button.clicked.connect(self.reload_example)
        bar.addWidget(self.example_button)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("tryItSend")
        self.send_button.clicked.connect(self.send)
        bar.addWidget(self.send_button)
        layout.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        editor_box = QWidget()
        editor_layout = QVBoxLayout(editor_box)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(QLabel("Request (JSON)"))
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("tryItPayload")
        self.editor.setFont(_mono())
        self.editor.textChanged.connect(self._check)
        editor_layout.addWidget(self.editor, 1)
        self.note = QLabel("")
        self.note.setObjectName("tryItNote")
        self.note.setWordWrap(True)
        editor_layout.addWidget(self.note)
        split.addWidget(editor_box)
        self.left = _Side("tryItResponse", "Response")
        self.right = _Side("tryItOtherResponse", "Other deployment")
        split.addWidget(self.left)
        split.addWidget(self.right)
        split.setSizes([360, 320, 320])
        layout.addWidget(split, 1)
        self.verdict = QLabel("")
        self.verdict.setObjectName("tryItVerdict")
        self.verdict.setWordWrap(True)
        layout.addWidget(self.verdict)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.send)
        self.compare_combo.currentIndexChanged.connect(lambda *_: self._sides_changed())
        self.set_deployment(None, [])

    # -- what is tried ------------------------------------------------------------------
    def set_deployment(self, record: DeploymentRecord | None,
                       others: Sequence[DeploymentRecord]) -> None:
        """Try `record`; `others` are offered for the side-by-side comparison (the
        deployment of the @champion first chosen when there is one)."""
        changed = record is None or self.record is None or record.name != self.record.name \
            or record.version != self.record.version
        self.record = record
        self.others = [o for o in others if record is None or o.name != record.name]
        previous = self.compare_combo.currentData()
        self.compare_combo.blockSignals(True)
        self.compare_combo.clear()
        self.compare_combo.addItem("(none)", "")
        for other in self.others:
            alias = f" @{other.alias}" if other.alias else ""
            self.compare_combo.addItem(f"{other.name} — v{other.version}{alias}", other.name)
        wanted = self._default_other() if changed else previous
        self.compare_combo.setCurrentIndex(max(0, self.compare_combo.findData(wanted)))
        self.compare_combo.blockSignals(False)
        if record is None:
            self.target_label.setText("Choose a deployment above.")
        else:
            self.target_label.setText(
                f"<b>{record.name}</b> · v{record.version} · {record.endpoint or 'no endpoint'}")
        if changed:
            self.left.clear()
            self._sides_changed()
            if record is not None:
                self.reload_example(keep_edits=True)
        self._check()

    def _default_other(self) -> str:
        champion = [o for o in self.others if o.alias == "champion" and o.status == RUNNING]
        return champion[0].name if champion else ""

    def other(self) -> DeploymentRecord | None:
        name = self.compare_combo.currentData()
        return next((o for o in self.others if o.name == name), None)

    def _sides_changed(self) -> None:
        other = self.other()
        self.right.setVisible(other is not None)
        self.right.heading.setText(f"{other.name} (v{other.version})" if other else "")
        self.right.clear()
        self.left.heading.setText(f"{self.record.name} (v{self.record.version})"
                                  if self.record else "Response")
        self.verdict.setText("")

    # -- the example ----------------------------------------------------------------------
    def reload_example(self, keep_edits: bool = False) -> None:
        """Load the served version's example (with `keep_edits`, only over unedited text)."""
        record, load = self.record, self.load_example
        if record is None:
            return
        if keep_edits and self.editor.toPlainText().strip() not in ("", self._example_text):
            return
        self.note.setText("Loading the version's input example…")
        self.runner.submit(lambda _ctx: load(record), key=TaskKey.SERVING_EXAMPLE,
                           scope=id(self), owner=self,
                           description=f"input example of {record.model_uri}",
                           on_result=self._show_example, on_error=self._example_failed)

    def _show_example(self, text: str | None) -> None:
        if text is None:
            self._set_text(SKELETON)
            self.note.setText(NO_EXAMPLE)
            return
        try:
            value = json.loads(text)
            text = text if isinstance(value, str) else pretty(value)
        except json.JSONDecodeError:
            pass  # shown as logged: the check below says what is wrong with it
        self._set_text(text)
        self.note.setText("The version's serving input example; edit it as you like.")
        self._check()

    def _example_failed(self, error: ModelHubError) -> None:
        if isinstance(error, Cancelled):
            return
        if not self.editor.toPlainText().strip():
            self._set_text(SKELETON)
        self.note.setText(f"Could not read the version's input example: {error}")

    def _set_text(self, text: str) -> None:
        self._example_text = text.strip()
        self.editor.setPlainText(text)

    # -- sending --------------------------------------------------------------------------
    def _check(self) -> str:
        """Why nothing can be sent now ("" when it can); shown on the Send button."""
        text = self.editor.toPlainText()
        reason = ""
        if self.record is None:
            reason = "Choose a deployment to try."
        elif not text.strip():
            reason = "Write a JSON request first."
        else:
            reason = parse_payload(text)[1]
        self.send_button.setEnabled(not reason)
        self.send_button.setToolTip(reason or "Send the request (Ctrl+Enter)")
        if reason and text.strip() and self.record is not None:
            self.note.setText(reason)
            self.note.setStyleSheet(BAD_STYLE)
        else:
            self.note.setStyleSheet("")
            if self.note.text().startswith("Not valid JSON"):
                self.note.setText("")
        return reason

    def send(self) -> None:
        """Send the request to the deployment (and to the other one, if chosen)."""
        if self._check() or self.record is None:
            return
        payload, _ = parse_payload(self.editor.toPlainText())
        self.verdict.setText("")
        sides = [(self.left, self.record, "left")]
        other = self.other()
        if other is not None:
            sides.append((self.right, other, "right"))
        for side, record, scope in sides:
            side.clear("Sending…")
            self.runner.submit(
                self._predict_fn(record, payload), key=TaskKey.TRY_IT,
                scope=f"{id(self)}-{scope}", owner=self,
                description=f"try {record.name}",
                on_result=partial(self._answered, side), on_error=partial(self._failed, side))

    def _predict_fn(self, record: DeploymentRecord,
                    payload: object) -> Callable[[TaskContext], Prediction]:
        predict = self.predict
        return lambda _ctx: predict(record, payload)

    def _answered(self, side: _Side, prediction: Prediction) -> None:
        side.show_answer(prediction)
        self._compare()

    def _failed(self, side: _Side, error: ModelHubError) -> None:
        if not isinstance(error, Cancelled):
            side.show_error(f"{error.title}: {error}")

    def _compare(self) -> None:
        a, b = self.left.answer, self.right.answer
        if a is None or b is None or self.other() is None:
            return
        if a.error or b.error:
            self.verdict.setText("Not compared: one of the deployments answered with an error.")
            self.verdict.setStyleSheet(BAD_STYLE)
            return
        diff = compare_answers(a.body, b.body)
        self.verdict.setText(f"Compared: {diff.summary()}")
        self.verdict.setStyleSheet(OK_STYLE if diff.equal else BAD_STYLE)
