"""The write actions on models and versions: QActions with their keys, and whether each
may be taken now — with the reason in the tooltip when not (offline, nothing selected,
a missing permission level, an alias in the way)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from modelhub_desktop.core.domain import ModelVersion, RegisteredModel
from modelhub_desktop.core.governance_settings import DEFAULT_PROMOTE_ALIASES
from modelhub_desktop.core.model_edits import why_not_delete_model, why_not_delete_version
from modelhub_desktop.core.permissions import Action, ModelPermission

__all__ = ["DEFAULT_PROMOTE_ALIASES", "Context", "GovernanceActions", "Spec"]


@dataclass
class Context:
    """What the actions act on, as the user sees it."""

    online: bool = False
    offline_reason: str = ""
    model: RegisteredModel | None = None
    version: ModelVersion | None = None
    versions: Sequence[ModelVersion] = ()
    permission: ModelPermission | None = None
    aliases: dict[str, int] = field(default_factory=dict)  # from the rows shown

    @property
    def uses_stages(self) -> bool:
        return any(v.current_stage not in ("", "None") for v in self.versions)

    @property
    def stages(self) -> dict[int, str]:
        return {v.version: v.current_stage for v in self.versions}


@dataclass
class Spec:
    """One write action: its words, key, the permission it needs, what it acts on."""

    name: str
    text: str
    tip: str
    need: Action | None
    on_version: bool
    keys: tuple[str, ...] = ()


SPECS = (
    Spec("setAliasAction", "Set &alias…", "Point an alias at this version", Action.SET_ALIAS,
         True, ("Ctrl+Alt+A",)),
    Spec("removeAliasAction", "&Remove alias…", "Remove an alias of this version",
         Action.DELETE_ALIAS, True, ("Ctrl+Shift+Backspace",)),
    Spec("rollbackAliasAction", "Roll &back alias…",
         "Move an alias back to the version that held it before", Action.ROLLBACK_ALIAS,
         False, ("Ctrl+Shift+Z",)),
    Spec("changeStageAction", "Change &stage…", "Move this version to another stage",
         Action.TRANSITION_STAGE, True, ("Ctrl+Alt+S",)),
    Spec("rollbackStageAction", "Roll back &Production…",
         "Put the previous Production version back", Action.TRANSITION_STAGE, False),
    Spec("editVersionDescriptionAction", "Edit version &description…",
         "Edit this version's description (Markdown)", Action.EDIT_DESCRIPTION, True,
         ("Ctrl+Alt+D",)),
    Spec("editVersionTagsAction", "Edit version &tags…", "Add, edit or remove version tags",
         Action.SET_TAG, True, ("Ctrl+Alt+T",)),
    Spec("editModelDescriptionAction", "Edit model description…",
         "Edit the model's description (Markdown)", Action.EDIT_DESCRIPTION, False),
    Spec("editModelTagsAction", "Edit model tags…", "Add, edit or remove model tags",
         Action.SET_TAG, False),
    Spec("renameModelAction", "Re&name model…", "Give the model a new name",
         Action.RENAME_MODEL, False, ("Ctrl+Alt+R",)),
    Spec("deleteVersionAction", "Delete version…", "Delete this version (asks you to type "
         "its name)", Action.DELETE_VERSION, True, ("Ctrl+Del",)),
    Spec("deleteModelAction", "Delete model…", "Delete the model and all its versions "
         "(asks you to type its name)", Action.DELETE_MODEL, False, ("Ctrl+Shift+Del",)),
    Spec("historyAction", "&History", "Who held each alias and stage, and the audit trail",
         None, False, ("Ctrl+H",)),
)


class GovernanceActions:
    """The QActions (window-wide shortcuts) and their enabled state and tooltips."""

    def __init__(self, window: QWidget) -> None:
        self.window = window
        self.actions: dict[str, QAction] = {}
        self.specs: dict[str, Spec] = {}
        for spec in SPECS:
            self._add(spec)
        self.promote: dict[str, QAction] = {}

    def _add(self, spec: Spec) -> QAction:
        act = QAction(spec.text, self.window)
        act.setObjectName(spec.name)
        if spec.keys:
            act.setShortcuts([QKeySequence(k) for k in spec.keys])
        act.setToolTip(spec.tip)
        self.window.addAction(act)
        self.actions[spec.name] = act
        self.specs[spec.name] = spec
        return act

    def __getitem__(self, name: str) -> QAction:
        return self.actions[name]

    def set_promote_aliases(self, names: Sequence[str]) -> list[QAction]:
        """One "Promote to @name" action per alias name of the profile (the first gets
        Ctrl+Shift+P); returns the new actions."""
        for name in list(self.promote):
            act = self.actions.pop(f"promote:{name}")
            self.specs.pop(f"promote:{name}")
            self.window.removeAction(act)
            act.deleteLater()
        self.promote = {}
        for i, alias in enumerate(names):
            spec = Spec(f"promote:{alias}", f"Promote to @{alias}",
                        f"Compare with the current @{alias}, then move it to this version",
                        Action.MOVE_ALIAS, True, ("Ctrl+Shift+P",) if i == 0 else ())
            act = self._add(spec)
            act.setObjectName(f"promoteAction_{alias}")
            self.promote[alias] = act
        return list(self.promote.values())

    # -- enabled state ---------------------------------------------------------------------
    def update(self, ctx: Context) -> None:
        for name, act in self.actions.items():
            reason = self.why_not(name, ctx)
            act.setEnabled(not reason)
            spec = self.specs[name]
            shortcut = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            tip = spec.tip + (f" ({shortcut})" if shortcut else "")
            act.setToolTip(reason or tip)
            act.setStatusTip(reason or tip)

    def why_not(self, name: str, ctx: Context) -> str:
        """Why the action cannot be taken now ("" when it can)."""
        spec = self.specs[name]
        model = ctx.model
        if model is None:
            return "Select a model first."
        if spec.need is None:
            return ""
        words = spec.need.value
        if not ctx.online:
            return f"{ctx.offline_reason or 'Offline'}: {words.lower()} needs a connection " \
                   "to the server."
        if spec.on_version and ctx.version is None:
            return "Select a version first."
        if ctx.permission is not None:
            missing = ctx.permission.why_not(spec.need)
            if missing:
                return missing + "."
        return self._condition(name, ctx)

    @staticmethod
    def _condition(name: str, ctx: Context) -> str:
        model, version = ctx.model, ctx.version
        assert model is not None
        if name.startswith("promote:"):
            alias = name.split(":", 1)[1]
            if version is not None and ctx.aliases.get(alias) == version.version:
                return f"v{version.version} already holds @{alias}."
        elif name == "removeAliasAction" and version is not None and not version.aliases:
            return f"v{version.version} holds no alias."
        elif name == "rollbackAliasAction" and not ctx.aliases:
            return f"{model.name} has no alias to roll back."
        elif name in ("changeStageAction", "rollbackStageAction") and not ctx.uses_stages:
            return f"{model.name} does not use stages; aliases are used instead."
        elif name == "rollbackStageAction" and "Production" not in ctx.stages.values():
            return f"No version of {model.name} is in Production."
        elif name == "deleteVersionAction" and version is not None:
            return why_not_delete_version(
                RegisteredModel(model.name, aliases=ctx.aliases), version)
        elif name == "deleteModelAction":
            return why_not_delete_model(RegisteredModel(model.name, aliases=ctx.aliases),
                                        ctx.stages)
        return ""
