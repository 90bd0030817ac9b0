"""The promotion requests last read from the server, kept on this machine so the Inbox reads
offline: one small SQLite file per connection profile next to its metadata cache.

Rows hold each request in its published tag form (core/requests.py `encode`), so what is
mirrored is exactly what the server held. Two reads fill it: the Inbox across models (every
pending request: pending rows no longer listed were decided meanwhile and are dropped) and
one model's requests in every state (that model's rows are replaced).
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from modelhub_desktop.core import requests as rq
from modelhub_desktop.core.errors import StorageError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id TEXT PRIMARY KEY, model_name TEXT NOT NULL, version INTEGER NOT NULL,
    state TEXT NOT NULL, created INTEGER NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS requests_model ON requests(model_name);
CREATE TABLE IF NOT EXISTS synced (scope TEXT PRIMARY KEY, at INTEGER NOT NULL);
"""
ALL_MODELS = ""  # the scope of the Inbox across models


def mirror_file(cache_dir: Path, cache_key: str) -> Path:
    """The mirror of the profile with `cache_key`, in the cache folder."""
    digest = hashlib.sha256(cache_key.encode("utf-8")).hexdigest()[:16]
    return Path(cache_dir) / f"requests-{digest}.sqlite"


def _now() -> int:
    return int(time.time() * 1000)


class RequestMirror:
    """Requests of one profile; every call opens and closes its own connection, so any
    worker thread may use it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"The request mirror {self.path} cannot be opened: {exc}") from None
        try:
            with conn:
                conn.executescript(_SCHEMA)
                yield conn
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"The request mirror {self.path} is unusable: {exc}") from None
        finally:
            conn.close()

    # -- writing -------------------------------------------------------------------------------
    def store_pending(self, requests: Iterable[rq.PromotionRequest], at: int | None = None
                      ) -> None:
        """What the Inbox across models read: every pending request on the server."""
        reqs = list(requests)
        with self._db() as conn:
            conn.execute("DELETE FROM requests WHERE state = ?", (rq.PENDING,))
            _insert(conn, reqs)
            _synced(conn, ALL_MODELS, at)

    def store_model(self, model_name: str, requests: Iterable[rq.PromotionRequest],
                    at: int | None = None) -> None:
        """What one model's request list read: all its requests, in every state."""
        reqs = list(requests)
        with self._db() as conn:
            conn.execute("DELETE FROM requests WHERE model_name = ?", (model_name,))
            _insert(conn, reqs)
            _synced(conn, model_name, at)

    # -- reading -------------------------------------------------------------------------------
    def pending(self) -> list[rq.PromotionRequest]:
        return self._select("state = ?", (rq.PENDING,))

    def of_model(self, model_name: str) -> list[rq.PromotionRequest]:
        return self._select("model_name = ?", (model_name,))

    def synced_at(self, model_name: str = ALL_MODELS) -> int | None:
        """When that scope was last stored (ms), None if never."""
        with self._db() as conn:
            row = conn.execute("SELECT at FROM synced WHERE scope = ?", (model_name,)).fetchone()
        return int(row[0]) if row else None

    def _select(self, where: str, args: tuple[object, ...]) -> list[rq.PromotionRequest]:
        with self._db() as conn:
            rows = conn.execute(f"SELECT id, value FROM requests WHERE {where}", args).fetchall()
        out = []
        for req_id, value in rows:
            try:
                out.append(rq.decode(rq.PREFIX + str(req_id), str(value)))
            except rq.RequestFormatError:
                continue  # written by a newer app: the server still has it
        return sorted(out, key=lambda r: (r.created, r.id), reverse=True)


def _insert(conn: sqlite3.Connection, reqs: list[rq.PromotionRequest]) -> None:
    rows = []
    for req in reqs:
        _key, value = rq.encode(req)
        rows.append((req.id, req.model_name, req.version, req.state, req.created, value))
    conn.executemany("INSERT OR REPLACE INTO requests VALUES (?, ?, ?, ?, ?, ?)", rows)


def _synced(conn: sqlite3.Connection, scope: str, at: int | None) -> None:
    conn.execute("INSERT OR REPLACE INTO synced VALUES (?, ?)",
                 (scope, _now() if at is None else at))
