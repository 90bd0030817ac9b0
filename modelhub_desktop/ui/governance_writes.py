"""Runs the governance writes on the mutation thread and shows the server's state after.

Every write refetches before (the core stops with `Conflict` when someone else moved
things), writes, records its audit entry and reads the server back. Alias moves are then
applied to the rows in place from that read-back (no further request); other writes
reload the model's versions. Errors are shown in words in the status and notice bars.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from modelhub_desktop.core import audit
from modelhub_desktop.core.cache import now_ms
from modelhub_desktop.core.domain import RegisteredModel
from modelhub_desktop.core.errors import ModelHubError, PermissionDenied
from modelhub_desktop.core.governance import Conflict, WriteResult
from modelhub_desktop.core.governance_store import GovernanceStore
from modelhub_desktop.core.model_edits import EditResult
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.ui.models.version_table_model import VersionRow
from modelhub_desktop.ui.task_keys import TaskKey

if TYPE_CHECKING:
    from modelhub_desktop.ui.main_window import MainWindow

Result = WriteResult | EditResult
Write = Callable[[RegistryGateway], Result]
Handler = Callable[[ModelHubError], bool]


class GovernanceWriter(QObject):
    """Submits one write at a time per model; reports the outcome by signal."""

    #: a write finished: (message, the model after it or None when deleted)
    written = Signal(str, object)
    #: a write failed: the message shown to the user
    failed = Signal(str)
    #: the server refused a write on this model (the permission known of it is stale)
    denied = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def run(self, what: str, model_name: str, write: Write, apply: str = "reload",
            done: str = "", handle: Handler | None = None) -> None:
        """Run `write` on the mutation thread. `apply`: "aliases" (update rows in place
        from the read-back), "reload" (reload the versions), "rename", "deleted".
        `handle(error)` may take over an error (returns True) before it is shown."""
        controller = self.window.controller
        session = controller.session
        if session is None or not controller.can_write:
            self._fail(f"{what}: not connected to the server.")
            return
        gateway, cache = session.gateway, session.cache

        def work(task: TaskContext) -> Result:
            result = write(gateway)
            store = GovernanceStore(cache)
            if isinstance(result, EditResult) and result.logged:
                store.store_registry_log(dict(audit.encode(e) for e in result.logged),
                                         complete=False)
            if apply == "rename" and result.model is not None:
                store.rename(model_name, result.model.name)
            if result.model is not None:
                stages = None
                if isinstance(result, WriteResult) and result.version is not None:
                    stages = {result.version.version: result.version.current_stage}
                store.apply_write(result.model, stages, now_ms())
            return result

        self.window.status.set_busy(True)
        self.window.status.showMessage(f"{what}…", 0)
        controller.runner.submit(
            work, key=TaskKey.WRITE, scope=model_name, owner=self, mutation=True,
            description=what,
            on_result=lambda result: self._done(result, apply, done or what, model_name),
            on_error=lambda error: self._error(error, what, model_name, handle))

    # -- outcomes ----------------------------------------------------------------------------
    def _done(self, result: Result, apply: str, message: str, model_name: str) -> None:
        w = self.window
        w.status.set_busy(False)
        if not result.verified:
            message += (" — but the server shows something else now: someone changed it "
                        "again right after. The view shows the server's state.")
        if isinstance(result, EditResult) and result.warning:
            message += " " + result.warning
            w.notice.add(message)
        w.status.showMessage(message, 15000)
        model = result.model
        if apply == "aliases" and model is not None:
            self.apply_aliases(model)
        elif apply == "rename" and model is not None:
            self._replace_model(model_name, model)
            w.model_list.select_model(model.name)
        elif apply == "deleted":
            w.controller.refresh()
        else:
            if model is not None:
                self._replace_model(model.name, model)
            w.controller.reload_current_model()
        self.written.emit(message, model)

    def _error(self, error: ModelHubError, what: str, model_name: str,
               handle: Handler | None = None) -> None:
        self.window.status.set_busy(False)
        if handle is not None and handle(error):
            self.window.status.clearMessage()
            return
        self._fail(f"{what} did not happen. {error.title}: {error}")
        if isinstance(error, Conflict):
            self.window.controller.reload_current_model()
        elif isinstance(error, PermissionDenied):
            self.denied.emit(model_name)

    def _fail(self, message: str) -> None:
        self.window.status.showMessage(message, 20000)
        self.window.notice.add(message)
        self.failed.emit(message)

    # -- showing the server's state ------------------------------------------------------------
    def apply_aliases(self, model: RegisteredModel) -> None:
        """The rows and the model list show the alias map just read from the server."""
        w = self.window
        self._replace_model(model.name, model)
        if w.version_table.model_name != model.name:
            return
        held: dict[int, list[str]] = {}
        for alias, version in model.aliases.items():
            held.setdefault(version, []).append(alias)
        rows = []
        for row in w.version_table.model.records():
            aliases = tuple(sorted(held.get(row.version.version, ())))
            if aliases != row.version.aliases:
                row = VersionRow(replace(row.version, aliases=aliases), row.run,
                                 row.deployed_by)
            rows.append(row)
        w.version_table.model.set_records(rows)
        current = w.version_table.current_row()
        if current is not None:
            w.detail_loader.show(current)

    def _replace_model(self, old_name: str, model: RegisteredModel) -> None:
        w = self.window
        records: list[Any] = w.model_list.model.records()
        w.model_list.set_models([model if m.name == old_name else m for m in records])
        if w.version_table.model_name in (old_name, model.name):
            w.version_table.set_registered_model(model)
