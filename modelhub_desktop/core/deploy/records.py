"""Deployment records on disk: one JSON file under the data dir, readable offline.

Why a file of its own rather than a table in the profile cache: the cache is a copy of
what a server holds (it is moved aside and rebuilt from the server when it is unreadable),
one per profile, while deployment records are the app's own state that no server can give
back (which processes it started, on which port, with which log), and local servers are
app-wide, not per profile. Writes are atomic (temp file + os.replace) and serialised
across app instances with a lock file; an unreadable file is moved aside, never lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from modelhub_desktop.core.deploy.base import DeploymentRecord
from modelhub_desktop.core.errors import StorageError

FORMAT_VERSION = 1
_FIELDS = {f.name for f in fields(DeploymentRecord)}


def to_json(record: DeploymentRecord) -> dict[str, Any]:
    out = asdict(record)
    out["settings"] = dict(record.settings)
    return out


def from_json(raw: object) -> DeploymentRecord | None:
    """A record from its stored form; None for an entry this version cannot read."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        return None
    known = {k: v for k, v in raw.items() if k in _FIELDS}
    settings = known.get("settings")
    known["settings"] = ({str(k): str(v) for k, v in settings.items()}
                         if isinstance(settings, dict) else {})
    try:
        return DeploymentRecord(**known)
    except TypeError:
        return None


class RecordStore:
    """All deployment records of this app (every profile, every backend)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        #: A sentence for the user when the file was unreadable and moved aside.
        self.problem = ""

    def all(self) -> list[DeploymentRecord]:
        with self._lock:
            return list(self._load().values())

    def get(self, name: str) -> DeploymentRecord | None:
        with self._lock:
            return self._load().get(name)

    def put(self, record: DeploymentRecord) -> DeploymentRecord:
        self.change(lambda records: records.__setitem__(record.name, record))
        return record

    def remove(self, name: str) -> None:
        self.change(lambda records: records.pop(name, None))

    def change(self, edit: Callable[[dict[str, DeploymentRecord]], object]) -> None:
        """Read, edit in place and write back, as one step for every app instance."""
        with self._lock, self._file_lock():
            records = self._load()
            edit(records)
            self._save(records)

    # -- file --------------------------------------------------------------------------------
    def _load(self) -> dict[str, DeploymentRecord]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StorageError(f"Could not read deployment records {self.path}: "
                               f"{exc.strerror}.") from None
        try:
            data = json.loads(text)
            entries = data["deployments"]
            if not isinstance(entries, list):
                raise ValueError("deployments is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            self._move_aside(exc)
            return {}
        out: dict[str, DeploymentRecord] = {}
        for raw in entries:
            record = from_json(raw)
            if record is not None:
                out[record.name] = record
        return out

    def _move_aside(self, exc: Exception) -> None:
        aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}")
        with contextlib.suppress(OSError):
            self.path.replace(aside)
        self.problem = (f"The deployment records were unreadable ({type(exc).__name__}) and "
                        f"were moved to {aside.name}; running servers are found again on "
                        "their ports only if you deploy them anew.")

    def _save(self, records: dict[str, DeploymentRecord]) -> None:
        body = {"format": FORMAT_VERSION,
                "deployments": [to_json(r) for r in sorted(records.values(),
                                                           key=lambda r: r.name)]}
        tmp = ""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".deployments-", suffix=".tmp",
                                       dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(body, fh, indent=2, ensure_ascii=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            if tmp:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            raise StorageError(f"Could not save deployment records to {self.path}: "
                               f"{exc.strerror or type(exc).__name__}.") from None

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """An exclusive lock on `<file>.lock` (POSIX); other instances wait for it."""
        if os.name == "nt":  # pragma: no cover - os.replace is atomic there too
            yield
            return
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(str(self.path) + ".lock", "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
