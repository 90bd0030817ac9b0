"""Refresh = gateway -> cache -> "what changed".

Each function fetches a complete snapshot first and writes it to the cache in one
transaction, so a failed or cancelled refresh never leaves half a snapshot behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from modelhub_desktop.core.cache import MetadataCache, now_ms
from modelhub_desktop.core.domain import Change, ModelVersion, RegisteredModel, RunData
from modelhub_desktop.core.governance_store import ALIAS, STAGE, GovernanceStore, stage_state
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.registry import RegistryGateway


@dataclass(frozen=True)
class ModelsSnapshot:
    models: list[RegisteredModel]
    changes: list[Change]
    synced_at: int | None


@dataclass(frozen=True)
class VersionsPage:
    """One page of versions with their runs, delivered while loading continues."""

    model_name: str
    versions: list[ModelVersion]
    runs: dict[str, RunData]


@dataclass(frozen=True)
class VersionsSnapshot:
    model_name: str
    versions: list[ModelVersion]
    runs: dict[str, RunData]
    changes: list[Change]
    synced_at: int | None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dict_changes(before: dict[str, str], after: dict[str, str], label: str) -> list[str]:
    out = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is None:
            out.append(f"{label} {key} = {_short(str(new))} added")
        elif new is None:
            out.append(f"{label} {key} removed")
        else:
            out.append(f"{label} {key}: {_short(old)} -> {_short(str(new))}")
    return out


def diff_models(old: list[RegisteredModel], new: list[RegisteredModel], at: int) -> list[Change]:
    """New/deleted models, alias moves, description and tag edits."""
    before = {m.name: m for m in old}
    after = {m.name: m for m in new}
    out: list[Change] = []
    for name in sorted(set(after) - set(before)):
        out.append(Change("model_added", name, "New model", at))
    for name in sorted(set(before) - set(after)):
        out.append(Change("model_deleted", name, "Model deleted", at))
    for name in sorted(set(before) & set(after)):
        a, b = before[name], after[name]
        for alias in sorted(set(a.aliases) | set(b.aliases)):
            va, vb = a.aliases.get(alias), b.aliases.get(alias)
            if va == vb:
                continue
            if va is None:
                detail = f"{alias}: set to v{vb}"
            elif vb is None:
                detail = f"{alias}: removed (was v{va})"
            else:
                detail = f"{alias}: v{va} -> v{vb}"
            out.append(Change("alias_moved", name, detail, at, vb))
        if a.description != b.description:
            out.append(Change("description_edited", name, "Description edited", at))
        for line in _dict_changes(a.tags, b.tags, "tag"):
            out.append(Change("tag_edited", name, line, at))
        if (b.latest_version or 0) > (a.latest_version or 0):
            out.append(
                Change(
                    "version_added",
                    name,
                    f"New latest version v{b.latest_version}",
                    at,
                    b.latest_version,
                )
            )
    return out


def diff_versions(old: list[ModelVersion], new: list[ModelVersion], at: int) -> list[Change]:
    """Version-level edits: deleted versions, stage moves, description and tag edits."""
    before = {v.version: v for v in old}
    after = {v.version: v for v in new}
    out: list[Change] = []
    for ver in sorted(set(before) - set(after)):
        out.append(Change("version_deleted", before[ver].model_name, f"v{ver} deleted", at, ver))
    for ver in sorted(set(before) & set(after)):
        a, b = before[ver], after[ver]
        if a.current_stage != b.current_stage:
            out.append(
                Change(
                    "stage_moved",
                    b.model_name,
                    f"v{ver}: {a.current_stage} -> {b.current_stage}",
                    at,
                    ver,
                )
            )
        if a.description != b.description:
            out.append(
                Change("description_edited", b.model_name, f"v{ver} description edited", at, ver)
            )
        for line in _dict_changes(a.tags, b.tags, f"v{ver} tag"):
            out.append(Change("tag_edited", b.model_name, line, at, ver))
    return out


def refresh_models(
    gateway: RegistryGateway, cache: MetadataCache, ctx: TaskContext | None = None
) -> ModelsSnapshot:
    """Fetch every registered model and store it; returns the list and what changed."""
    models = gateway.list_models(ctx=ctx)
    if ctx:
        ctx.check()
    changes = cache.replace_models(models, diff_models)
    observe_models(cache, models, complete=True)
    return ModelsSnapshot(models, changes, cache.last_sync())


def observe_models(cache: MetadataCache, models: list[RegisteredModel],
                   complete: bool = False) -> None:
    """Mirror the models' audit tags and note alias moves since the last look (for the
    History view: MLflow records no alias move)."""
    store = GovernanceStore(cache)
    store.store_audit(models, complete=complete)
    store.observe_many(((m.name, ALIAS, {"@" + a: [v] for a, v in m.aliases.items()})
                        for m in models), now_ms())


def observe_versions(cache: MetadataCache, model_name: str,
                     versions: list[ModelVersion]) -> None:
    """Note alias and stage moves of one model since the last look."""
    aliases = {"@" + a: [v.version] for v in versions for a in v.aliases}
    stages = {v.version: v.current_stage for v in versions}
    GovernanceStore(cache).observe_many(
        [(model_name, ALIAS, aliases), (model_name, STAGE, stage_state(stages))], now_ms())


def search_models(
    gateway: RegistryGateway,
    cache: MetadataCache,
    filter_string: str,
    ctx: TaskContext | None = None,
) -> ModelsSnapshot:
    """A server-side filtered search: shown, and cached without deleting other models."""
    models = gateway.list_models(filter_string, ctx=ctx)
    cache.upsert_models(models)
    return ModelsSnapshot(models, [], cache.last_sync())


def cached_models(cache: MetadataCache) -> ModelsSnapshot:
    return ModelsSnapshot(cache.models(), [], cache.last_sync())


def refresh_versions(
    gateway: RegistryGateway,
    cache: MetadataCache,
    model_name: str,
    ctx: TaskContext | None = None,
    on_page: Callable[[VersionsPage], None] | None = None,
) -> VersionsSnapshot:
    """All versions of one model with their runs (batched), stored in one transaction.

    Runs are fetched page by page as versions arrive, so `on_page` can show complete rows
    (metrics included) while later pages are still loading. A page is handed on when the
    next one arrives: the last page comes with the result, after the cache write, so the UI
    draws it while this worker is idle rather than competing with it for the GIL.
    """
    runs: dict[str, RunData] = {}
    pending: list[VersionsPage] = []

    def page_done(page: list[ModelVersion]) -> None:
        page_runs = gateway.get_runs((v.run_id for v in page), ctx=ctx)
        runs.update(page_runs)
        if on_page is not None and pending:
            on_page(pending.pop())
        pending.append(VersionsPage(model_name, page, page_runs))

    versions = gateway.list_versions(model_name, ctx=ctx, on_page=page_done)
    if ctx:
        ctx.check()
    changes = cache.replace_versions(model_name, versions, runs, diff_versions)
    observe_versions(cache, model_name, versions)
    synced = cache.versions_synced_at(model_name)
    return VersionsSnapshot(model_name, versions, runs, changes, synced)


def cached_versions(cache: MetadataCache, model_name: str) -> VersionsSnapshot:
    versions = cache.versions(model_name)
    runs = cache.runs(v.run_id for v in versions)
    return VersionsSnapshot(model_name, versions, runs, [], cache.versions_synced_at(model_name))
