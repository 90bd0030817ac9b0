"""The `tryItPanel`: the version's input example, Send (and Ctrl+Enter), the answer with
status and latency, malformed JSON caught before sending, and the same input sent to a
second deployment with the answers compared (pytest-qt, in-memory deploy service)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from modelhub_desktop.core.deploy.base import DeploymentRecord
from modelhub_desktop.ui.tasks import TaskRunner
from modelhub_desktop.ui.views.try_it_panel import NO_EXAMPLE, TryItPanel
from tests.helpers import wait_for_tasks
from tests.ui.deploy_fake import FakeDeployService, record

EXAMPLE = json.dumps({"dataframe_split": {"columns": ["a", "b"], "data": [[1.5, 2], [3, 4]]}})


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    r.shutdown()


@pytest.fixture
def service() -> FakeDeployService:
    s = FakeDeployService()
    for r in (record("cand", "iris", 4, port=5004),
              record("champ", "iris", 3, alias="champion", port=5003),
              record("same", "iris", 4, port=5005)):
        s.store[r.name] = r
    return s


def examples(by_version: dict[int, str | None]):  # noqa: ANN201
    def load(r: DeploymentRecord) -> str | None:
        return by_version[r.version]
    return load


def ctrl_enter(qtbot, panel: TryItPanel) -> None:
    qtbot.keyClick(panel.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    # a key without modifiers after it: Qt takes the modifiers held from the last event,
    # and a Ctrl left "held" would turn later clicks in other tests into Ctrl+clicks
    qtbot.keyClick(panel.editor, Qt.Key.Key_End)


def make(qtbot, runner, service, load) -> TryItPanel:  # noqa: ANN001
    panel = TryItPanel(runner, service.predict, load)
    qtbot.addWidget(panel)
    panel.resize(1100, 500)
    panel.show()
    return panel


def test_example_send_and_the_answer(qtbot, runner, service) -> None:
    panel = make(qtbot, runner, service, examples({4: EXAMPLE, 3: EXAMPLE}))
    assert panel.objectName() == "tryItPanel" and not panel.send_button.isEnabled()
    panel.set_deployment(service.store["cand"], [service.store["champ"]])
    wait_for_tasks(qtbot, runner)
    assert json.loads(panel.editor.toPlainText()) == json.loads(EXAMPLE)
    assert "input example" in panel.note.text()
    panel.compare_combo.setCurrentIndex(0)  # nobody to compare with
    ctrl_enter(qtbot, panel)
    wait_for_tasks(qtbot, runner)
    assert json.loads(panel.left.response.toPlainText()) == {"predictions": [6.0, 12]}
    assert panel.left.status.text() == "200 · 4 ms"
    assert service.requests == 1 and not panel.right.isVisible()


def test_malformed_json_is_caught_before_sending(qtbot, runner, service) -> None:
    panel = make(qtbot, runner, service, examples({4: EXAMPLE}))
    panel.set_deployment(service.store["cand"], [])
    wait_for_tasks(qtbot, runner)
    panel.editor.setPlainText('{"dataframe_split": {"columns": ["a"],\n "data": [[1,]]}}')
    assert not panel.send_button.isEnabled()
    assert panel.note.text().startswith("Not valid JSON:") and "line 2" in panel.note.text()
    panel.send()
    ctrl_enter(qtbot, panel)
    wait_for_tasks(qtbot, runner)
    assert service.requests == 0 and panel.left.response.toPlainText() == ""


def test_no_example_gives_a_skeleton_and_says_so(qtbot, runner, service) -> None:
    panel = make(qtbot, runner, service, examples({4: None}))
    panel.set_deployment(service.store["cand"], [])
    wait_for_tasks(qtbot, runner)
    assert panel.note.text() == NO_EXAMPLE
    assert "dataframe_split" in json.loads(panel.editor.toPlainText())
    panel.send()
    wait_for_tasks(qtbot, runner)
    assert json.loads(panel.left.response.toPlainText()) == {"predictions": [0.0]}


def test_side_by_side_with_the_champion_and_the_answers_compared(qtbot, runner,
                                                                  service) -> None:
    panel = make(qtbot, runner, service, examples({4: EXAMPLE, 3: EXAMPLE}))
    others = [service.store["champ"], service.store["same"]]
    panel.set_deployment(service.store["cand"], others)
    wait_for_tasks(qtbot, runner)
    assert panel.other() == service.store["champ"]  # the champion's deployment by default
    panel.send_button.click()
    wait_for_tasks(qtbot, runner)
    assert panel.right.isVisible() and "champ (v3)" in panel.right.heading.text()
    assert json.loads(panel.right.response.toPlainText()) == {"predictions": [4.5, 9]}
    assert panel.verdict.text() == "Compared: Differ at 2 of 2 positions: [0], [1]."
    panel.compare_combo.setCurrentIndex(panel.compare_combo.findData("same"))
    panel.send_button.click()
    wait_for_tasks(qtbot, runner)
    assert panel.verdict.text() == "Compared: Equal (2 values compared)."
    assert service.requests == 4


def test_user_edits_survive_a_status_refresh(qtbot, runner, service) -> None:
    panel = make(qtbot, runner, service, examples({4: EXAMPLE, 3: EXAMPLE}))
    panel.set_deployment(service.store["cand"], [])
    wait_for_tasks(qtbot, runner)
    mine = json.dumps({"dataframe_split": {"columns": ["a"], "data": [[7]]}})
    panel.editor.setPlainText(mine)
    panel.set_deployment(service.store["cand"], [service.store["champ"]])  # same deployment
    wait_for_tasks(qtbot, runner)
    assert panel.editor.toPlainText() == mine
    panel.set_deployment(service.store["champ"], [])  # another version, but edited text stays
    wait_for_tasks(qtbot, runner)
    assert panel.editor.toPlainText() == mine
    panel.reload_example()
    wait_for_tasks(qtbot, runner)
    assert json.loads(panel.editor.toPlainText()) == json.loads(EXAMPLE)
