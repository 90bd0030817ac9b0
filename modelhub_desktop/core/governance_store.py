"""The governance mirror in the local cache: audit tags and observed alias/stage moves.

Audit tags are copied from the server on every sync, so the History view reads (and
verifies) them offline. MLflow records no alias or stage move, so each look at a model
(a sync, a version load, the watch poll) compares its aliases and stages with the last
look and stores what differs as observed moves, timed when the app noticed them. The
app's own writes update the last-seen state directly: its moves are in the audit trail.
The registry-wide audit log (deleted and renamed models, core/registry_audit.py) is
mirrored in the same table under a model name no model has.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from modelhub_desktop.core import audit, codec
from modelhub_desktop.core.alias_timeline import (
    STAGE_PREFIX,
    Move,
    current_slots,
    slot_moves,
)
from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import ModelVersion, RegisteredModel
from modelhub_desktop.core.registry_audit import CACHE_SCOPE

ALIAS, STAGE = "alias", "stage"
SlotMap = dict[str, list[int]]


def alias_state(model: RegisteredModel) -> SlotMap:
    return current_slots(model.aliases)


def stage_state(stages: Mapping[int, str]) -> SlotMap:
    return current_slots({}, stages)


def uses_stages(versions: Iterable[ModelVersion]) -> bool:
    """A model "uses stages" when any version has a stage other than None."""
    return any(v.current_stage not in ("", "None") for v in versions)


class GovernanceStore:
    """Reads and writes the governance tables of one profile's cache."""

    def __init__(self, cache: MetadataCache) -> None:
        self.cache = cache

    # -- audit mirror ----------------------------------------------------------------------
    def store_audit(self, models: Iterable[RegisteredModel], complete: bool = False) -> None:
        """Mirror the audit tags of `models` (`complete`: these are all the models, drop
        the mirror of any other)."""
        listed = list(models)
        with self.cache.transaction() as tx:
            if complete:
                names = {m.name for m in listed}
                for (name,) in tx.execute("SELECT DISTINCT model_name FROM audit_tags"):
                    if name not in names and name != CACHE_SCOPE:
                        tx.execute("DELETE FROM audit_tags WHERE model_name=?", (name,))
            for model in listed:
                tx.execute("DELETE FROM audit_tags WHERE model_name=?", (model.name,))
                tx.executemany(
                    "INSERT INTO audit_tags(model_name, key, value) VALUES (?, ?, ?)",
                    [(model.name, k, v) for k, v in model.tags.items() if audit.is_audit_key(k)])

    def audit_tags(self, model_name: str) -> dict[str, str]:
        rows = self.cache.query("SELECT key, value FROM audit_tags WHERE model_name=?",
                                (model_name,))
        return {k: v for k, v in rows}

    def store_registry_log(self, tags: Mapping[str, str], complete: bool = True) -> None:
        """Mirror the registry-wide log's audit tags (`complete`: all of them, as read from
        the server; else entries just written, added to the mirror)."""
        rows = [(CACHE_SCOPE, k, v) for k, v in tags.items() if audit.is_audit_key(k)]
        with self.cache.transaction() as tx:
            if complete:
                tx.execute("DELETE FROM audit_tags WHERE model_name=?", (CACHE_SCOPE,))
            tx.executemany("INSERT OR REPLACE INTO audit_tags(model_name, key, value) "
                           "VALUES (?, ?, ?)", rows)

    def registry_log(self) -> dict[str, str]:
        return self.audit_tags(CACHE_SCOPE)

    # -- observed moves --------------------------------------------------------------------
    def observe(self, model_name: str, kind: str, state: Mapping[str, Sequence[int]], at: int,
                record: bool = True) -> list[Move]:
        """Compare `state` (slot -> versions) with the last one seen of this kind; store
        and return the moves (none on the first look, or with `record` False: the app's
        own write, which its audit trail explains)."""
        return self.observe_many([(model_name, kind, state)], at, record)

    def observe_many(self, looks: Iterable[tuple[str, str, Mapping[str, Sequence[int]]]],
                     at: int, record: bool = True) -> list[Move]:
        """`observe` for many (model, kind, state) looks in one transaction."""
        moves: list[Move] = []
        with self.cache.transaction() as tx:
            for model_name, kind, state in looks:
                plain = {slot: sorted(vs) for slot, vs in state.items() if vs}
                row = tx.execute("SELECT state FROM slot_state WHERE model_name=? AND kind=?",
                                 (model_name, kind)).fetchone()
                if row is not None and record:
                    found = slot_moves(json.loads(row[0]), plain, at)
                    tx.executemany(
                        "INSERT INTO observed_moves(model_name, slot, version, enters, at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [(model_name, m.slot, m.version, int(m.enters), m.at) for m in found])
                    moves += found
                tx.execute("INSERT OR REPLACE INTO slot_state(model_name, kind, state) "
                           "VALUES (?, ?, ?)", (model_name, kind, json.dumps(plain)))
        return moves

    def seen_state(self, model_name: str, kind: str) -> SlotMap | None:
        rows = self.cache.query("SELECT state FROM slot_state WHERE model_name=? AND kind=?",
                                (model_name, kind))
        return {k: list(v) for k, v in json.loads(rows[0][0]).items()} if rows else None

    def observed(self, model_name: str) -> list[Move]:
        rows = self.cache.query(
            "SELECT slot, version, enters, at FROM observed_moves WHERE model_name=? "
            "ORDER BY at, id", (model_name,))
        return [Move(slot, int(v), bool(e), int(at), "observed") for slot, v, e, at in rows]

    def uses_stages(self, model_name: str) -> bool:
        state = self.seen_state(model_name, STAGE) or {}
        return any(s.startswith(STAGE_PREFIX) for s in state)

    def apply_write(self, model: RegisteredModel, stages: Mapping[int, str] | None,
                    at: int) -> None:
        """After the app's own write: the server's state read back becomes the cache's
        (model row, version aliases and stages, audit mirror), with no observed move."""
        by_version: dict[int, list[str]] = {}
        for alias, version in model.aliases.items():
            by_version.setdefault(version, []).append(alias)
        versions = self.cache.versions(model.name)
        fresh = [replace(v, aliases=tuple(sorted(by_version.get(v.version, ()))),
                         current_stage=(stages or {}).get(v.version, v.current_stage))
                 for v in versions]
        self.cache.upsert_models([model])
        with self.cache.transaction() as tx:
            tx.executemany(
                "UPDATE versions SET data=? WHERE model_name=? AND version=?",
                [(codec.dumps(new), model.name, new.version)
                 for old, new in zip(versions, fresh, strict=True) if old != new])
        self.store_audit([model])
        looks: list[tuple[str, str, Mapping[str, Sequence[int]]]] = [
            (model.name, ALIAS, alias_state(model))]
        if stages is not None:
            looks.append((model.name, STAGE, stage_state(stages)))
        self.observe_many(looks, at, record=False)

    def rename(self, old: str, new: str) -> None:
        """Keep a renamed model's history under its new name."""
        with self.cache.transaction() as tx:
            for table in ("audit_tags", "slot_state", "observed_moves"):
                tx.execute(f"DELETE FROM {table} WHERE model_name=?", (new,))
                tx.execute(f"UPDATE {table} SET model_name=? WHERE model_name=?", (new, old))
