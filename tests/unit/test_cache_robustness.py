"""The cache under stress: two writers, an unusable folder, a full disk, schema versions."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from modelhub_desktop.core import cache as cache_module
from modelhub_desktop.core.cache import SCHEMA_VERSION, MetadataCache
from modelhub_desktop.core.domain import ModelVersion, RegisteredModel, RunData
from modelhub_desktop.core.errors import StorageError


def _writer(path: str, tag: str, rounds: int) -> None:
    cache = MetadataCache(Path(path))
    for i in range(rounds):
        name = f"{tag}-model"
        versions = [ModelVersion(name, v, run_id=f"{tag}-{i}-{v}") for v in range(1, 60)]
        runs = {v.run_id: RunData(v.run_id, metrics={"m": float(i)}) for v in versions}
        cache.replace_versions(name, versions, runs)
        cache.upsert_models([RegisteredModel(name, latest_version=59)])
    cache.close()


def test_two_processes_writing_one_cache_do_not_corrupt_it(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite")
    MetadataCache(Path(path)).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, tag, 25)) for tag in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    check = MetadataCache(Path(path))
    assert check.recovered == ""
    assert {m.name for m in check.models()} == {"a-model", "b-model"}
    assert len(check.versions("a-model")) == len(check.versions("b-model")) == 59
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_unusable_folder_is_a_clear_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(StorageError, match="Cannot create the cache folder"):
        MetadataCache(blocker / "cache.sqlite")


def test_full_disk_is_a_clear_message_and_keeps_the_old_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "full.sqlite"
    cache = MetadataCache(path)
    cache.replace_models([RegisteredModel("kept")])
    cache.close()
    size = path.stat().st_size + 64 * 1024
    script = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({size}, {size}))
        from pathlib import Path
        from modelhub_desktop.core.cache import MetadataCache
        from modelhub_desktop.core.domain import RegisteredModel
        from modelhub_desktop.core.errors import StorageError
        cache = MetadataCache(Path({str(path)!r}))
        big = [RegisteredModel(f"m{{i}}", description="x" * 4000) for i in range(2000)]
        try:
            cache.replace_models(big)
        except StorageError as exc:
            print("STORAGE:", exc)
        print("still running")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert "STORAGE: Could not write the local cache" in proc.stdout, proc.stdout + proc.stderr
    assert "still running" in proc.stdout
    assert [m.name for m in MetadataCache(path).models()] == ["kept"]


def test_schema_migrates_from_older_and_refuses_newer(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.sqlite"
    MetadataCache(path).close()
    extra = "CREATE TABLE IF NOT EXISTS extra (k TEXT PRIMARY KEY)"
    monkeypatch.setattr(cache_module, "MIGRATIONS", [*cache_module.MIGRATIONS, extra])
    monkeypatch.setattr(cache_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    upgraded = MetadataCache(path)
    assert upgraded.recovered == ""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert conn.execute("SELECT COUNT(*) FROM extra").fetchone()[0] == 0
    upgraded.close()
    monkeypatch.setattr(cache_module, "SCHEMA_VERSION", SCHEMA_VERSION)
    monkeypatch.setattr(cache_module, "MIGRATIONS", cache_module.MIGRATIONS[:-1])
    downgraded = MetadataCache(path)  # written by a newer app: moved aside, rebuilt
    assert "moved" in downgraded.recovered
