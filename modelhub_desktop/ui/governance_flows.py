"""What each governance action does when triggered: the dialog that confirms it, then the
write (through `GovernanceWriter`, on the mutation thread)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from modelhub_desktop.core import governance, model_edits
from modelhub_desktop.core.alias_timeline import alias_slot, previous_holder, stage_slot
from modelhub_desktop.core.errors import ModelHubError
from modelhub_desktop.core.governance_store import GovernanceStore
from modelhub_desktop.core.promotion import PromotionPreview, preview
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.core.registry_audit import AuditLogUnavailable
from modelhub_desktop.ui.dialogs.alias_dialog import AliasDialog
from modelhub_desktop.ui.dialogs.choice_dialog import ChoiceDialog
from modelhub_desktop.ui.dialogs.delete_dialog import DeleteDialog
from modelhub_desktop.ui.dialogs.description_dialog import DescriptionDialog
from modelhub_desktop.ui.dialogs.promote_dialog import PromoteDialog
from modelhub_desktop.ui.dialogs.rename_dialog import RenameDialog
from modelhub_desktop.ui.dialogs.stage_dialog import StageDialog
from modelhub_desktop.ui.dialogs.tags_dialog import TagsDialog
from modelhub_desktop.ui.dialogs.write_dialog import WriteDialog
from modelhub_desktop.ui.governance_actions import Context
from modelhub_desktop.ui.task_keys import TaskKey

if TYPE_CHECKING:
    from modelhub_desktop.ui.governance_feature import GovernanceFeature


class GovernanceFlows:
    def __init__(self, feature: GovernanceFeature) -> None:
        self.feature = feature
        self.window = feature.window
        self.writer = feature.writer
        #: the dialog last opened (tests and screenshots drive it)
        self.dialog: QDialog | None = None

    def connect_actions(self) -> None:
        a = self.feature.actions
        for name, slot in (
                ("setAliasAction", self.set_alias), ("removeAliasAction", self.remove_alias),
                ("rollbackAliasAction", self.rollback_alias),
                ("changeStageAction", self.change_stage),
                ("rollbackStageAction", self.rollback_stage),
                ("editVersionDescriptionAction", lambda: self.edit_description(True)),
                ("editModelDescriptionAction", lambda: self.edit_description(False)),
                ("editVersionTagsAction", lambda: self.edit_tags(True)),
                ("editModelTagsAction", lambda: self.edit_tags(False)),
                ("renameModelAction", self.rename_model),
                ("deleteVersionAction", self.delete_version),
                ("deleteModelAction", self.delete_model)):
            a[name].triggered.connect(lambda _=False, s=slot: s())

    # -- helpers -------------------------------------------------------------------------------
    def _ready(self, action: str) -> Context | None:
        """The context, if `action` may be taken now (else say why)."""
        ctx = self.feature.context()
        reason = self.feature.actions.why_not(action, ctx)
        if reason:
            self.window.status.showMessage(reason, 10000)
            return None
        return ctx

    @property
    def who(self) -> str:
        return governance.actor(self.window.controller.profile)

    def _open(self, dialog: QDialog, on_accept: Callable[[], None]) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(on_accept)
        self.dialog = dialog
        dialog.open()

    def _store(self) -> GovernanceStore | None:
        session = self.window.controller.session
        return GovernanceStore(session.cache) if session else None

    # -- aliases -------------------------------------------------------------------------------
    def promote(self, alias: str) -> None:
        ctx = self._ready(f"promote:{alias}")
        session = self.window.controller.session
        if ctx is None or ctx.model is None or ctx.version is None or session is None:
            return
        table = self.window.version_table
        name, candidate = ctx.model.name, table.current_row()
        holder = ctx.aliases.get(alias)
        current = next((r for r in table.model.records() if r.version.version == holder), None)
        if candidate is None:
            return
        keys = set(candidate.run.metrics if candidate.run else ())
        keys |= set(current.run.metrics if current and current.run else ())
        directions = {k: table.model.direction(k) for k in keys}
        gateway = session.gateway
        serving = self.feature.deployments_of(name, holder) if holder is not None else []

        def work(_task: object) -> PromotionPreview:
            return preview(gateway, name, alias, current.version if current else None,
                           current.run if current else None, candidate.version, candidate.run,
                           directions, lambda _m, _v: serving)

        self.window.status.showMessage(f"Comparing v{candidate.version.version} with "
                                       f"@{alias}…", 0)
        self.window.controller.runner.submit(
            work, key=TaskKey.PROMOTE_PREVIEW, scope=name, owner=self.feature,
            description=f"compare for @{alias}",
            on_result=lambda p: self._confirm_promote(p, holder),
            on_error=lambda e: self._failed("Comparing the versions", e))

    def _confirm_promote(self, p: PromotionPreview, holder: int | None) -> None:
        self.window.status.clearMessage()
        dialog = PromoteDialog(p, self.window)
        version, name, alias = p.candidate.version, p.model_name, p.alias
        def accepted() -> None:
            reason, who = dialog.reason(), self.who
            self.writer.run(
                f"Promoting v{version} to @{alias}", name,
                lambda gw: governance.set_alias(gw, name, alias, version, expected=holder,
                                                who=who, reason=reason),
                apply="aliases", done=f"@{alias} of {name} now points to v{version}.")

        self._open(dialog, accepted)

    def set_alias(self) -> None:
        ctx = self._ready("setAliasAction")
        if ctx is None or ctx.model is None or ctx.version is None:
            return
        name, version = ctx.model.name, ctx.version.version
        dialog = AliasDialog(name, version, ctx.aliases, list(self.feature.actions.promote),
                             self.window)
        def accepted() -> None:
            alias, expected, reason, who = (dialog.alias(), dialog.expected(),
                                            dialog.reason(), self.who)
            self.writer.run(
                f"Setting @{alias}", name,
                lambda gw: governance.set_alias(gw, name, alias, version, expected=expected,
                                                who=who, reason=reason),
                apply="aliases", done=f"@{alias} of {name} now points to v{version}.")

        self._open(dialog, accepted)

    def remove_alias(self) -> None:
        ctx = self._ready("removeAliasAction")
        if ctx is None or ctx.model is None or ctx.version is None:
            return
        name, version = ctx.model.name, ctx.version.version

        def describe(alias: str) -> tuple[str, str]:
            return (f"Remove <b>@{alias}</b> from v{version} of {name}? Anything that loads "
                    f"models:/{name}@{alias} stops working until it is set again.", "")

        dialog = ChoiceDialog("Remove alias", "Alias:", ctx.version.aliases, describe,
                              "Remove alias", self.window)
        def accepted() -> None:
            alias, reason, who = dialog.choice(), dialog.reason(), self.who
            self.writer.run(
                f"Removing @{alias}", name,
                lambda gw: governance.delete_alias(gw, name, alias, expected=version,
                                                   who=who, reason=reason),
                apply="aliases", done=f"@{alias} of {name} removed.")

        self._open(dialog, accepted)

    def rollback_alias(self) -> None:
        ctx = self._ready("rollbackAliasAction")
        store = self._store()
        if ctx is None or ctx.model is None or store is None:
            return
        name, aliases = ctx.model.name, dict(ctx.aliases)
        history = self.feature.history_of(name)
        spans = list(history.spans) if history else []

        def describe(alias: str) -> tuple[str, str]:
            back = previous_holder(spans, alias_slot(alias))
            if back is None:
                return "", f"No earlier holder of @{alias} on {name} is known."
            return (f"Move <b>@{alias}</b> of {name} back from v{aliases[alias]} to "
                    f"<b>v{back}</b>, the version that held it before?", "")

        dialog = ChoiceDialog("Roll back alias", "Alias:", sorted(aliases), describe,
                              "Roll back", self.window)
        observed = store.observed(name)
        def accepted() -> None:
            alias, reason, who = dialog.choice(), dialog.reason(), self.who
            self.writer.run(
                f"Rolling back @{alias}", name,
                lambda gw: governance.rollback_alias(
                    gw, name, alias, expected=aliases[alias], who=who, reason=reason,
                    observed=observed),
                apply="aliases", done=f"@{alias} of {name} rolled back.")

        self._open(dialog, accepted)

    # -- stages --------------------------------------------------------------------------------
    def change_stage(self) -> None:
        ctx = self._ready("changeStageAction")
        if ctx is None or ctx.model is None or ctx.version is None:
            return
        name, version, current = ctx.model.name, ctx.version.version, ctx.version.current_stage
        dialog = StageDialog(name, version, current, ctx.stages, self.window)
        def accepted() -> None:
            stage, reason, who = dialog.stage(), dialog.reason(), self.who
            archive, holders = dialog.archive_existing(), dialog.holders()
            self.writer.run(
                f"Moving v{version} to {stage}", name,
                lambda gw: governance.transition_stage(
                    gw, name, version, stage, expected_stage=current, who=who, reason=reason,
                    archive_existing=archive, expected_holders=holders),
                done=f"v{version} of {name} is now in {stage}.")

        self._open(dialog, accepted)

    def rollback_stage(self) -> None:
        ctx = self._ready("rollbackStageAction")
        store = self._store()
        if ctx is None or ctx.model is None or store is None:
            return
        name = ctx.model.name
        holders = sorted(v for v, s in ctx.stages.items() if s == "Production")
        history = self.feature.history_of(name)
        back = previous_holder(list(history.spans) if history else [], stage_slot("Production"))

        def describe(_stage: str) -> tuple[str, str]:
            if back is None or back not in ctx.stages:
                return "", f"No earlier version in Production of {name} is known."
            now = ", ".join(f"v{v}" for v in holders)
            return (f"Put <b>v{back}</b> of {name} back in Production? {now} goes to "
                    "Archived.", "")

        dialog = ChoiceDialog("Roll back Production", "Stage:", ["Production"], describe,
                              "Roll back", self.window)
        observed = store.observed(name)
        def accepted() -> None:
            reason, who = dialog.reason(), self.who
            self.writer.run(
                "Rolling back Production", name,
                lambda gw: governance.rollback_stage(gw, name, "Production",
                                                     expected_holders=holders, who=who,
                                                     reason=reason, observed=observed),
                done=f"Production of {name} rolled back to v{back}.")

        self._open(dialog, accepted)

    # -- edits ---------------------------------------------------------------------------------
    def edit_description(self, of_version: bool) -> None:
        action = "editVersionDescriptionAction" if of_version else "editModelDescriptionAction"
        ctx = self._ready(action)
        if ctx is None or ctx.model is None or (of_version and ctx.version is None):
            return
        name = ctx.model.name
        version = ctx.version.version if of_version and ctx.version else None
        text = ctx.version.description if of_version and ctx.version else ctx.model.description
        label = f"v{version} of {name}" if version is not None else name
        dialog = DescriptionDialog(f"Description of {label}", text, self.window)
        def accepted() -> None:
            new, reason, who = dialog.text(), dialog.reason(), self.who
            self.writer.run(
                f"Saving the description of {label}", name,
                lambda gw: model_edits.edit_description(gw, name, version, new,
                                                        expected=text, who=who,
                                                        reason=reason),
                done=f"Description of {label} saved.")

        self._open(dialog, accepted)

    def edit_tags(self, of_version: bool) -> None:
        ctx = self._ready("editVersionTagsAction" if of_version else "editModelTagsAction")
        if ctx is None or ctx.model is None or (of_version and ctx.version is None):
            return
        name = ctx.model.name
        version = ctx.version.version if of_version and ctx.version else None
        tags = dict(ctx.version.tags if of_version and ctx.version else ctx.model.tags)
        label = f"v{version} of {name}" if version is not None else name
        dialog = TagsDialog(f"Tags of {label}", tags, self.window)
        def accepted() -> None:
            changes, reason, who = dialog.changes(), dialog.reason(), self.who
            self.writer.run(
                f"Saving the tags of {label}", name,
                lambda gw: model_edits.edit_tags(gw, name, version, changes, expected=tags,
                                                 who=who, reason=reason),
                done=f"Tags of {label} saved.")

        self._open(dialog, accepted)

    def rename_model(self) -> None:
        ctx = self._ready("renameModelAction")
        if ctx is None or ctx.model is None:
            return
        name = ctx.model.name
        taken = [m.name for m in self.window.model_list.model.records()]
        dialog = RenameDialog(name, taken, self.window)

        def accepted() -> None:
            new, reason, who = dialog.new_name(), dialog.reason(), self.who

            def write(gw: RegistryGateway) -> model_edits.EditResult:
                return model_edits.rename_model(gw, name, new, who=who, reason=reason)

            self.writer.run(f"Renaming {name}", name, write, apply="rename",
                            done=f"{name} is now called {new}.")

        self._open(dialog, accepted)

    def delete_version(self) -> None:
        ctx = self._ready("deleteVersionAction")
        if ctx is None or ctx.model is None or ctx.version is None:
            return
        name, version = ctx.model.name, ctx.version.version
        dialog = DeleteDialog(f"version {version} of {name}", f"v{version}", self.window)
        def accepted() -> None:
            reason, who = dialog.reason(), self.who
            self.writer.run(
                f"Deleting v{version} of {name}", name,
                lambda gw: model_edits.delete_version(gw, name, version, who=who,
                                                      reason=reason),
                done=f"v{version} of {name} deleted.")

        self._open(dialog, accepted)

    def delete_model(self) -> None:
        ctx = self._ready("deleteModelAction")
        if ctx is None or ctx.model is None:
            return
        name = ctx.model.name
        dialog = DeleteDialog(f"model {name} and all its versions", name, self.window)

        def accepted() -> None:
            self._delete_model(name, dialog.reason(), audit_log=True)

        self._open(dialog, accepted)

    def _delete_model(self, name: str, reason: str, audit_log: bool) -> None:
        """Delete with its entry in the registry-wide log; when that entry cannot be
        written, nothing is deleted until the user agrees to go on without it."""
        who = self.who

        def ask(error: ModelHubError) -> bool:
            if not isinstance(error, AuditLogUnavailable):
                return False
            dialog = WriteDialog(
                "Delete without an audit entry?",
                f"{html.escape(str(error))}<br><br>Other clients will find no record of who "
                f"deleted <b>{html.escape(name)}</b>, or when. <b>Nothing was deleted yet."
                "</b> Delete it anyway?",
                "Delete anyway", "auditMissingDialog", self.window, with_reason=False)
            dialog.confirm.setStyleSheet("QPushButton { color: #b00020; font-weight: bold; }")
            dialog.confirm.setAutoDefault(False)  # Enter must not delete without a record
            self._open(dialog, lambda: self._delete_model(name, reason, audit_log=False))
            return True

        self.writer.run(f"Deleting {name}", name,
                        lambda gw: model_edits.delete_model(gw, name, who=who, reason=reason,
                                                            audit_log=audit_log),
                        apply="deleted", done=f"{name} deleted.", handle=ask)

    def _failed(self, what: str, error: ModelHubError) -> None:
        self.window.status.showMessage(f"{what} failed: {error}", 15000)
