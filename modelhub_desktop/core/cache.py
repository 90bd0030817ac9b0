"""MetadataCache: what the app last saw of one profile, in SQLite, readable offline.

One file per profile (keyed by profile name + tracking URI). Every sync writes in a
single transaction in WAL mode, so a crash mid-sync leaves the previous snapshot whole
and a second app instance reading at the same time sees a consistent view. A file that
is not a readable cache is moved aside and rebuilt: `recovered` then says what happened.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from modelhub_desktop.core import codec
from modelhub_desktop.core.domain import (
    Change,
    MetricPoint,
    ModelVersion,
    RegisteredModel,
    RunData,
)
from modelhub_desktop.core.errors import StorageError
from modelhub_desktop.core.progress import cooperative, yield_to_ui

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2

# Each entry upgrades the schema from version i to i+1; index 0 creates it.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS models (name TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS versions (
        model_name TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (model_name, version));
    CREATE TABLE IF NOT EXISTS model_sync (model_name TEXT PRIMARY KEY, synced_at INTEGER);
    CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS metric_history (
        run_id TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (run_id, key));
    CREATE TABLE IF NOT EXISTS changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL,
        model_name TEXT NOT NULL, version INTEGER, detail TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX IF NOT EXISTS changes_at ON changes(at);
    """,
    # 2: the governance mirror (core/governance_store.py): audit tags for offline reading,
    # the last alias/stage state seen per model, and the moves seen between two looks.
    """
    CREATE TABLE IF NOT EXISTS audit_tags (
        model_name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (model_name, key));
    CREATE TABLE IF NOT EXISTS slot_state (
        model_name TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
        PRIMARY KEY (model_name, kind));
    CREATE TABLE IF NOT EXISTS observed_moves (
        id INTEGER PRIMARY KEY AUTOINCREMENT, model_name TEXT NOT NULL, slot TEXT NOT NULL,
        version INTEGER NOT NULL, enters INTEGER NOT NULL, at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS observed_moves_model ON observed_moves(model_name, at);
    """,
]


def now_ms() -> int:
    return int(time.time() * 1000)


#: Rows per executemany call: one call over thousands of rows would keep the GIL from
#: the UI thread for its whole duration.
WRITE_CHUNK = 100


def _write_many(tx: sqlite3.Connection, sql: str, rows: list[tuple[object, ...]]) -> None:
    for start in range(0, len(rows), WRITE_CHUNK):
        tx.executemany(sql, rows[start : start + WRITE_CHUNK])
        yield_to_ui()


class MetadataCache:
    """Thread-safe access to one profile's cache file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered: str = ""
        self._lock = threading.RLock()
        self._conn = self._open_or_recover()
        #: Reads go through one connection per thread: in WAL mode they see the last
        #: committed snapshot without waiting for a write (a sync of 20,000 versions) or
        #: another thread's long read to finish; the UI thread's reads never block.
        self._readers: dict[int, tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = {}
        self._writing = threading.local()

    # -- opening, migration, recovery --------------------------------------------------
    def _open_or_recover(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the cache folder {self.path.parent}: {exc.strerror}."
            ) from None
        try:
            return self._open()
        except sqlite3.OperationalError as exc:
            # Read-only folder, disk full, locked by another instance: the file itself is
            # fine and must not be moved aside (OperationalError is a DatabaseError too).
            # Only a file this user may not read or write, in a writable folder, is
            # replaced like a corrupted one.
            if not _unusable_but_replaceable(self.path):
                raise _open_error(self.path, exc) from None
            return self._move_aside_and_reopen(exc)
        except sqlite3.DatabaseError as exc:
            return self._move_aside_and_reopen(exc)

    def _move_aside_and_reopen(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{now_ms()}")
        try:
            for suffix in ("", "-wal", "-shm"):
                src = Path(str(self.path) + suffix)
                if src.exists():
                    src.replace(Path(str(aside) + suffix))
        except OSError as move_exc:
            raise StorageError(
                f"The local cache {self.path} is unreadable ({exc}) and could not be "
                f"moved aside: {move_exc.strerror}."
            ) from None
        self.recovered = (
            f"The local cache was unreadable ({exc}); it was moved to {aside.name} "
            "and rebuilt empty; it fills again from the server on the next refresh."
        )
        log.warning("cache recovered: %s", self.recovered)
        try:
            return self._open()
        except sqlite3.DatabaseError as again:
            raise _open_error(self.path, again) from None

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=15, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout=15000")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            row = conn.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {row}")
            self._migrate(conn)
        except Exception:
            conn.close()
            raise
        return conn

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        if current > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"cache schema {current} is newer than this app understands ({SCHEMA_VERSION})"
            )
        for target in range(current, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for stmt in _statements(MIGRATIONS[target]):
                    conn.execute(stmt)
                conn.execute(f"PRAGMA user_version={target + 1}")
                conn.execute("COMMIT")
            except Exception:
                conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            for _thread, conn in self._readers.values():
                conn.close()
            self._readers.clear()
            self._conn.close()

    def _reader(self) -> sqlite3.Connection:
        """This thread's read connection (made on first use; those of ended threads closed)."""
        ident = threading.get_ident()
        found = self._readers.get(ident)
        if found is not None and found[0]() is threading.current_thread():
            return found[1]
        conn = sqlite3.connect(self.path, timeout=15, check_same_thread=False,
                               isolation_level=None)
        conn.execute("PRAGMA busy_timeout=15000")
        with self._lock:
            for key, (thread, old) in list(self._readers.items()):
                alive = thread()
                if key == ident or alive is None or not alive.is_alive():
                    old.close()
                    del self._readers[key]
            self._readers[ident] = (weakref.ref(threading.current_thread()), conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: all of it lands, or none of it."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StorageError(f"The local cache is busy or read-only: {exc}.") from None
            self._writing.active = True
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._rollback()
                raise StorageError(f"Could not write the local cache: {exc}.") from None
            except BaseException:
                self._rollback()
                raise
            finally:
                self._writing.active = False

    def _rollback(self) -> None:
        """Undo the open transaction (SQLite may already have, e.g. on a full disk)."""
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _read(self, sql: str, args: Iterable[object] = ()) -> list[tuple]:
        if getattr(self._writing, "active", False):  # inside this thread's transaction
            return self._conn.execute(sql, tuple(args)).fetchall()
        try:
            return self._reader().execute(sql, tuple(args)).fetchall()
        except sqlite3.OperationalError as exc:
            raise StorageError(f"Could not read the local cache: {exc}.") from None

    def query(self, sql: str, args: Iterable[object] = ()) -> list[tuple]:
        """Rows of one read statement (for modules that keep their own tables here)."""
        return self._read(sql, args)

    # -- meta ------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def last_sync(self) -> int | None:
        value = self.meta("last_sync_ms")
        return int(value) if value else None

    # -- reads -----------------------------------------------------------------------------
    def models(self) -> list[RegisteredModel]:
        return [codec.model_from(r[0]) for r in self._read("SELECT data FROM models ORDER BY name")]

    def versions(self, model_name: str) -> list[ModelVersion]:
        rows = self._read(
            "SELECT data FROM versions WHERE model_name=? ORDER BY version DESC", (model_name,)
        )
        return [codec.version_from(r[0]) for r in rows]

    def versions_synced_at(self, model_name: str) -> int | None:
        rows = self._read("SELECT synced_at FROM model_sync WHERE model_name=?", (model_name,))
        return int(rows[0][0]) if rows else None

    def runs(self, run_ids: Iterable[str]) -> dict[str, RunData]:
        ids = [r for r in set(run_ids) if r]
        out: dict[str, RunData] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for (data,) in self._read(f"SELECT data FROM runs WHERE run_id IN ({marks})", chunk):
                run = codec.run_from(data)
                out[run.run_id] = run
        return out

    def metric_history(self, run_id: str, key: str) -> list[MetricPoint] | None:
        rows = self._read("SELECT data FROM metric_history WHERE run_id=? AND key=?", (run_id, key))
        return codec.points_from(run_id, key, rows[0][0]) if rows else None

    def changes(self, limit: int = 5000) -> list[Change]:
        rows = self._read(
            "SELECT kind, model_name, detail, at, version FROM changes ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [Change(kind=k, model_name=m, detail=d, at=a, version=v) for k, m, d, a, v in rows]

    def unread_changes(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM changes WHERE read=0")[0][0])

    def mark_changes_read(self) -> None:
        with self.transaction() as tx:
            tx.execute("UPDATE changes SET read=1 WHERE read=0")

    # -- writes (one transaction each) --------------------------------------------------------
    def replace_models(
        self,
        models: list[RegisteredModel],
        diff: Callable[[list[RegisteredModel], list[RegisteredModel], int], list[Change]]
        | None = None,
    ) -> list[Change]:
        """Store the full model list; return (and record) what changed against the old one."""
        at = now_ms()
        with self.transaction() as tx:
            old = [codec.model_from(r[0]) for r in tx.execute("SELECT data FROM models")]
            had_snapshot = tx.execute("SELECT 1 FROM meta WHERE key='last_sync_ms'").fetchone()
            changes = diff(old, models, at) if (diff and had_snapshot) else []
            tx.execute("DELETE FROM models")
            _write_many(
                tx, "INSERT INTO models(name, data) VALUES (?, ?)",
                [(m.name, codec.dumps(m)) for m in cooperative(models)],
            )
            gone = {m.name for m in old} - {m.name for m in models}
            for name in gone:
                tx.execute("DELETE FROM versions WHERE model_name=?", (name,))
                tx.execute("DELETE FROM model_sync WHERE model_name=?", (name,))
            self._record(tx, changes)
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('last_sync_ms', ?)", (str(at),)
            )
        return changes

    def upsert_models(self, models: list[RegisteredModel]) -> None:
        """Store some models (a filtered search) without deleting the others."""
        with self.transaction() as tx:
            _write_many(
                tx, "INSERT OR REPLACE INTO models(name, data) VALUES (?, ?)",
                [(m.name, codec.dumps(m)) for m in cooperative(models)],
            )

    def replace_versions(
        self,
        model_name: str,
        versions: list[ModelVersion],
        runs: dict[str, RunData],
        diff: Callable[[list[ModelVersion], list[ModelVersion], int], list[Change]] | None = None,
    ) -> list[Change]:
        """Store a model's full version list and their runs; return what changed."""
        at = now_ms()
        with self.transaction() as tx:
            old = [
                codec.version_from(r[0])
                for r in cooperative(
                    tx.execute("SELECT data FROM versions WHERE model_name=?", (model_name,))
                )
            ]
            synced = tx.execute(
                "SELECT 1 FROM model_sync WHERE model_name=?", (model_name,)
            ).fetchone()
            changes = diff(old, versions, at) if (diff and synced) else []
            tx.execute("DELETE FROM versions WHERE model_name=?", (model_name,))
            _write_many(
                tx, "INSERT INTO versions(model_name, version, data) VALUES (?, ?, ?)",
                [(model_name, v.version, codec.dumps(v)) for v in cooperative(versions)],
            )
            _write_many(
                tx, "INSERT OR REPLACE INTO runs(run_id, data) VALUES (?, ?)",
                [(r.run_id, codec.dumps(r)) for r in cooperative(runs.values())],
            )
            tx.execute(
                "INSERT OR REPLACE INTO model_sync(model_name, synced_at) VALUES (?, ?)",
                (model_name, at),
            )
            self._record(tx, changes)
        return changes

    def store_metric_histories(self, histories: dict[tuple[str, str], list[MetricPoint]]) -> None:
        with self.transaction() as tx:
            _write_many(
                tx, "INSERT OR REPLACE INTO metric_history(run_id, key, data) VALUES (?, ?, ?)",
                [(rid, key, codec.points_dumps(pts)) for (rid, key), pts in histories.items()],
            )

    @staticmethod
    def _record(tx: sqlite3.Connection, changes: list[Change]) -> None:
        _write_many(
            tx, "INSERT INTO changes(at, kind, model_name, version, detail) VALUES (?, ?, ?, ?, ?)",
            [(c.at, c.kind, c.model_name, c.version, c.detail) for c in changes],
        )


def _unusable_but_replaceable(path: Path) -> bool:
    return (
        path.exists()
        and not os.access(path, os.R_OK | os.W_OK)
        and os.access(path.parent, os.W_OK | os.X_OK)
    )


def _open_error(path: Path, exc: sqlite3.DatabaseError) -> StorageError:
    return StorageError(
        f"Cannot open the local cache {path}: {exc}. Check that the folder is writable "
        "and the disk has free space."
    )


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
