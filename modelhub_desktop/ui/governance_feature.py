"""Governance in the main window: alias and stage moves, promote, roll back, edits and
deletes, the History tab and the watch — actions offered where the user looks (version
context menu, model context menu, detail pane buttons, keys), enabled by what the server
says the user may do (asked once per model), disabled with the reason otherwise."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMenu, QToolBar, QToolButton

from modelhub_desktop.core.domain import Profile, RegisteredModel
from modelhub_desktop.core.errors import ModelHubError
from modelhub_desktop.core.governance_store import GovernanceStore
from modelhub_desktop.core.history import ModelHistory, model_history
from modelhub_desktop.core.permissions import ModelPermission, fetch_permission
from modelhub_desktop.core.promotion import DeploymentsFor
from modelhub_desktop.core.watch import WatchNotice
from modelhub_desktop.ui.deleted_models_flow import DeletedModelsFlow
from modelhub_desktop.ui.governance_actions import Context, GovernanceActions
from modelhub_desktop.ui.governance_flows import GovernanceFlows
from modelhub_desktop.ui.governance_settings_flow import GovernanceSettingsFlow
from modelhub_desktop.ui.governance_writes import GovernanceWriter
from modelhub_desktop.ui.model_watch import ModelWatch
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.views.history_view import HistoryView

if TYPE_CHECKING:
    from modelhub_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

VERSION_MENU = ("setAliasAction", "removeAliasAction", "rollbackAliasAction", None,
                "changeStageAction", "rollbackStageAction", None,
                "editVersionDescriptionAction", "editVersionTagsAction", "deleteVersionAction",
                None, "historyAction")
MODEL_MENU = ("editModelDescriptionAction", "editModelTagsAction", "renameModelAction",
              "rollbackAliasAction", "rollbackStageAction", None, "deleteModelAction", None,
              "historyAction")
DETAIL_BUTTONS = ("setAliasAction", "removeAliasAction", "rollbackAliasAction",
                  "changeStageAction", "editVersionDescriptionAction", "editVersionTagsAction",
                  "deleteVersionAction")


class GovernanceFeature(QObject):
    """Built as `GovernanceFeature(window)`; owns its actions, dialogs, tab and watch."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.actions = GovernanceActions(window)
        self.writer = GovernanceWriter(window)
        self.permissions: dict[str, ModelPermission] = {}
        #: set by the deploy feature: deployments_for(model, version) -> ["name (backend)"]
        self.deployments_for: DeploymentsFor | None = None
        self.history_view = HistoryView()
        self.history_tab = window.tabs.addTab(self.history_view, "History")
        self.watch = ModelWatch(window)
        self.flows = GovernanceFlows(self)
        self.settings = GovernanceSettingsFlow(self)
        self.deleted_models = DeletedModelsFlow(self)
        self.detail_buttons: dict[str, QToolButton] = {}
        #: the detail pane's action buttons: a tool bar folds what does not fit into »
        self.toolbar = QToolBar("Version actions")
        self.toolbar.setObjectName("versionActionsBar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setMovable(False)
        window.detail.actions_row.addWidget(self.toolbar, 1)
        self._wire()

    # -- wiring ----------------------------------------------------------------------------
    def _wire(self) -> None:
        w, c = self.window, self.window.controller
        c.profileOpened.connect(self._on_profile)
        c.modeChanged.connect(lambda _mode: self._on_model_changed())
        c.versionsCached.connect(lambda *_: self._on_rows())
        c.versionsLoaded.connect(lambda *_: self._on_rows())
        c.modelsShown.connect(lambda *_: self.update())
        w.model_list.modelSelected.connect(lambda _m: self._on_model_changed())
        w.version_table.versionSelected.connect(lambda _row: self.update())
        w.version_table.model.dataChanged.connect(lambda *_: self.update())
        w.version_table.menuRequested.connect(self._version_menu)
        w.model_list.menuRequested.connect(self._model_menu)
        self.writer.written.connect(lambda *_: self._on_rows())
        self.writer.denied.connect(self._on_denied)
        self.watch.noticed.connect(self._on_noticed)
        self.actions["historyAction"].triggered.connect(self.show_history)
        self.flows.connect_actions()

    def _fill_toolbar(self) -> None:
        """Promote actions first, then the other version actions; each button named after
        its action ("setAliasButton", "promoteButton_champion")."""
        self.toolbar.clear()
        self.detail_buttons = {}
        promote = [(f"promoteButton_{a}", act) for a, act in self.actions.promote.items()]
        rest = [(n.replace("Action", "Button"), self.actions[n]) for n in DETAIL_BUTTONS]
        for object_name, act in promote + rest:
            self.toolbar.addAction(act)
            button = self.toolbar.widgetForAction(act)
            if isinstance(button, QToolButton):
                button.setObjectName(object_name)
                self.detail_buttons[act.objectName()] = button

    def _on_profile(self, profile: Profile) -> None:
        self.permissions.clear()
        self.settings.on_profile(profile)  # promote aliases, watch interval
        self.refresh_history()
        self.update()

    def set_promote_aliases(self, names: Sequence[str]) -> None:
        """One "Promote to @name" action (menus, detail pane) per alias name."""
        self.toolbar.clear()  # before the old promote actions go
        for alias, act in zip(names, self.actions.set_promote_aliases(names), strict=True):
            act.triggered.connect(lambda _=False, a=alias: self.flows.promote(a))
        self._fill_toolbar()

    def _on_model_changed(self) -> None:
        model = self.window.model_list.current_model()
        if model is not None:
            self.watch.watch(model.name)
            self._fetch_permission(model.name)
        self.refresh_history()
        self.update()

    def _on_rows(self) -> None:
        self.refresh_history()
        self.update()

    def _on_noticed(self, notices: list[WatchNotice]) -> None:
        current = self.window.controller.current_model
        if any(n.model_name == current for n in notices):
            self.window.controller.reload_current_model()
        self.refresh_history()

    # -- what the user looks at --------------------------------------------------------------
    def context(self) -> Context:
        w, c = self.window, self.window.controller
        model = w.model_list.current_model()
        rows = w.version_table.model.records() if (
            model is not None and w.version_table.model_name == model.name) else []
        row = w.version_table.current_row() if rows else None
        aliases = {a: r.version.version for r in rows for a in r.version.aliases}
        if not rows and model is not None:
            aliases = dict(model.aliases)
        if c.options.offline:
            reason = "Offline (started with --offline)"
        elif c.online is None:
            reason = "Still connecting"
        else:
            reason = "Offline"
        return Context(online=c.can_write, offline_reason=reason, model=model,
                       version=row.version if row else None,
                       versions=[r.version for r in rows],
                       permission=self.permissions.get(model.name) if model else None,
                       aliases=aliases)

    def update(self) -> None:
        self.actions.update(self.context())

    def deployments_of(self, model_name: str, version: int) -> list[str]:
        """The deployments serving a version: from `deployments_for` when set, else from
        the window's deploy feature (its records), else none."""
        if self.deployments_for is not None:
            return list(self.deployments_for(model_name, version))
        records = getattr(getattr(self.window, "deploy", None), "records", None) or []
        return [f"{r.name} ({r.status}{', ' + r.endpoint if r.endpoint else ''})"
                for r in records if r.model_name == model_name and r.version == version]

    def _on_denied(self, model_name: str) -> None:
        """The server refused a write: ask again what the user may do there."""
        self.permissions.pop(model_name, None)
        self._fetch_permission(model_name)

    def _fetch_permission(self, name: str) -> None:
        c = self.window.controller
        session = c.session
        if session is None or not c.can_write or name in self.permissions:
            return
        if not c.profile.is_remote:
            self.permissions[name] = ModelPermission(name, source="none")
            return
        gateway, username = session.gateway, c.profile.username

        def got(permission: ModelPermission) -> None:
            self.permissions[name] = permission
            self.update()

        def failed(error: ModelHubError) -> None:
            log.info("permission of %s unknown: %s", name, type(error).__name__)

        c.runner.submit(lambda task: fetch_permission(gateway, name, username),
                        key=TaskKey.PERMISSION, scope=name, owner=self,
                        description=f"ask permissions on {name}", on_result=got,
                        on_error=failed)

    # -- menus -----------------------------------------------------------------------------
    def _fill(self, menu: QMenu, names: tuple[str | None, ...], promote: bool) -> None:
        self.update()
        menu.setToolTipsVisible(True)
        if not menu.isEmpty():
            menu.addSeparator()
        if promote:
            for act in self.actions.promote.values():
                menu.addAction(act)
        for name in names:
            if name is None:
                menu.addSeparator()
            else:
                menu.addAction(self.actions[name])

    def _version_menu(self, menu: QMenu, _rows: object) -> None:
        self._fill(menu, VERSION_MENU, promote=True)

    def _model_menu(self, menu: QMenu, _model: RegisteredModel) -> None:
        self._fill(menu, MODEL_MENU, promote=False)

    # -- history ---------------------------------------------------------------------------
    def history_of(self, model_name: str) -> ModelHistory | None:
        """The model's History from the cache (reads offline)."""
        session = self.window.controller.session
        if session is None:
            return None
        ctx = self.context()
        store = GovernanceStore(session.cache)
        stages = ctx.stages if (ctx.uses_stages or store.uses_stages(model_name)) else None
        seen = session.cache.versions_synced_at(model_name) or session.cache.last_sync()
        return model_history(model_name, store.audit_tags(model_name),
                             store.observed(model_name), ctx.aliases, stages, seen)

    def refresh_history(self) -> None:
        model = self.window.model_list.current_model()
        history = self.history_of(model.name) if model is not None else None
        self.history_view.set_history(history)

    def show_history(self) -> None:
        self.refresh_history()
        self.window.tabs.setCurrentIndex(self.history_tab)
