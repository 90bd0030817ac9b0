"""The watch: a cheap poll that notices alias and stage moves made by others.

One `get_registered_model` per watched model (its alias map); a model that uses stages
costs one `search_model_versions` more. What changed since the last look is stored as
observed moves (the History view shows them) and put into words for a notification.
The app's own writes update the last-seen state directly, so they raise no notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from modelhub_desktop.core.alias_timeline import STAGE_PREFIX, Move
from modelhub_desktop.core.cache import MetadataCache, now_ms
from modelhub_desktop.core.domain import RegisteredModel
from modelhub_desktop.core.errors import NotFound
from modelhub_desktop.core.governance_store import (
    ALIAS,
    STAGE,
    GovernanceStore,
    alias_state,
    stage_state,
)
from modelhub_desktop.core.progress import TaskContext


class WatchGateway(Protocol):
    def get_model(self, name: str) -> RegisteredModel: ...
    def stages(self, model_name: str) -> dict[int, str]: ...


@dataclass(frozen=True)
class WatchNotice:
    """Moves on one model since the last look, in words."""

    model_name: str
    moves: tuple[Move, ...]

    @property
    def text(self) -> str:
        return f"{self.model_name}: " + "; ".join(describe_moves(self.moves))


def _slot_name(slot: str) -> str:
    return slot[len(STAGE_PREFIX):] if slot.startswith(STAGE_PREFIX) else slot


def describe_moves(moves: Iterable[Move]) -> list[str]:
    """"@champion v2 → v3", "Production: v4 added", one line per slot."""
    by_slot: dict[str, tuple[list[int], list[int]]] = {}
    for mv in moves:
        left, entered = by_slot.setdefault(mv.slot, ([], []))
        (entered if mv.enters else left).append(mv.version)
    out = []
    for slot, (left, entered) in sorted(by_slot.items()):
        name = _slot_name(slot)
        was = ", ".join(f"v{v}" for v in sorted(left))
        now = ", ".join(f"v{v}" for v in sorted(entered))
        if left and entered:
            out.append(f"{name} moved {was} → {now}")
        elif entered:
            out.append(f"{name} set to {now}")
        else:
            out.append(f"{name} removed from {was}")
    return out


def poll(gateway: WatchGateway, cache: MetadataCache, names: Sequence[str],
         ctx: TaskContext | None = None) -> list[WatchNotice]:
    """Look at each watched model once; the moves since the last look, per model."""
    store = GovernanceStore(cache)
    notices: list[WatchNotice] = []
    for name in names:
        if ctx:
            ctx.check()
        try:
            model = gateway.get_model(name)
        except NotFound:
            continue  # deleted or renamed: the next sync says so
        looks: list[tuple[str, str, Mapping[str, Sequence[int]]]] = [
            (name, ALIAS, alias_state(model))]
        if store.uses_stages(name):
            looks.append((name, STAGE, stage_state(gateway.stages(name))))
        store.store_audit([model])
        moves = store.observe_many(looks, now_ms())
        if moves:
            notices.append(WatchNotice(name, tuple(moves)))
    return notices
