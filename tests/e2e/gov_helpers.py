"""Driving the governance feature of a real main window: open on a model, trigger an
action, fill and confirm its dialog, wait for the write to land."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.helpers import open_window, wait_for_tasks

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from modelhub_desktop.ui.main_window import MainWindow


def open_on(qtbot: QtBot, url: str, data_dir: Path, name: str, versions: int) -> MainWindow:
    """The window on `url` showing `name` with its `versions` rows and permission known."""
    window = open_window(qtbot, url, data_dir, model=name)
    qtbot.waitUntil(lambda: window.controller.current_model == name
                    and window.version_table.model.rowCount() == versions, timeout=60000)
    qtbot.waitUntil(lambda: name in window.governance.permissions, timeout=30000)
    wait_for_tasks(qtbot, window.ctx.runner)
    return window


def select(qtbot: QtBot, window: MainWindow, version: int) -> None:
    def selected() -> bool:
        row = window.version_table.current_row()
        if row is not None and row.version.version == version:
            return True
        assert window.version_table.select_version(version)
        return False

    qtbot.waitUntil(selected, timeout=20000)


def trigger(qtbot: QtBot, window: MainWindow, action: str) -> Any:
    """Trigger a governance action and return the dialog it opens."""
    flows = window.governance.flows
    flows.dialog = None
    act = (window.governance.actions.promote[action.split(":", 1)[1]]
           if action.startswith("promote:") else window.governance.actions[action])
    assert act.isEnabled(), act.toolTip()
    act.trigger()
    qtbot.waitUntil(lambda: flows.dialog is not None and flows.dialog.isVisible(),
                    timeout=30000)
    return flows.dialog


def confirm(qtbot: QtBot, window: MainWindow, dialog: Any) -> None:
    """Click the dialog's confirm button and wait until the write and the reload are done."""
    assert dialog.confirm.isEnabled()
    dialog.confirm.click()
    wait_for_tasks(qtbot, window.ctx.runner)


def aliases_shown(window: MainWindow) -> dict[int, tuple[str, ...]]:
    return {r.version.version: r.version.aliases for r in window.version_table.model.records()}
