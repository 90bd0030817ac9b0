"""The cache under stress: two writers, an unusable folder, a full disk, schema versions."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelhub_desktop.core import cache as cache_module
from modelhub_desktop.core.cache import SCHEMA_VERSION, MetadataCache
from modelhub_desktop.core.domain import ModelVersion, RegisteredModel, RunData
from modelhub_desktop.core.errors import StorageError
from modelhub_desktop.core.sync import diff_models, diff_versions
from tests.helpers import PRIVILEGED, read_only


def snapshot(name: str, tag: str, n: int = 59) -> tuple[list[ModelVersion], dict[str, RunData]]:
    """A complete version list of `name` whose every row carries `tag`."""
    versions = [
        ModelVersion(name, v, run_id=f"{tag}-{v}", tags={"round": tag}) for v in range(1, n + 1)
    ]
    runs = {v.run_id: RunData(v.run_id, metrics={"m": float(v.version)}) for v in versions}
    return versions, runs


def assert_whole(cache: MetadataCache, name: str, n: int = 59) -> str:
    """The versions of `name` are one writer's complete snapshot, never a mix."""
    versions = cache.versions(name)
    assert len(versions) == n
    rounds = {v.tags["round"] for v in versions}
    assert len(rounds) == 1, f"mixed snapshot: {sorted(rounds)[:5]}"
    return rounds.pop()


def integrity(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _writer(path: str, tag: str, rounds: int) -> None:
    cache = MetadataCache(Path(path))
    for i in range(rounds):
        own = f"{tag}-model"
        versions, runs = snapshot(own, f"{tag}{i}")
        cache.replace_versions(own, versions, runs, diff_versions)
        # both processes also rewrite the same model and the model list
        versions, runs = snapshot("shared", f"{tag}{i}")
        cache.replace_versions("shared", versions, runs, diff_versions)
        cache.upsert_models([RegisteredModel(own, latest_version=59)])
        assert_whole(cache, "shared")
    cache.close()


def _opener(path: str, start: object) -> None:
    start.wait(30)  # type: ignore[attr-defined]
    cache = MetadataCache(Path(path))
    assert cache.recovered == "", cache.recovered
    cache.upsert_models([RegisteredModel(f"from-{os.getpid()}")])
    cache.close()


def test_two_processes_writing_one_cache_do_not_corrupt_it(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite")
    MetadataCache(Path(path)).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, tag, 20)) for tag in ("a", "b")]
    for p in procs:
        p.start()
    reader = MetadataCache(Path(path))
    seen = set()
    while any(p.is_alive() for p in procs):  # a third instance reading meanwhile
        if reader.versions("shared"):
            seen.add(assert_whole(reader, "shared"))
        time.sleep(0.005)
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    reader.close()
    check = MetadataCache(Path(path))
    assert check.recovered == ""
    assert {m.name for m in check.models()} == {"a-model", "b-model"}
    assert assert_whole(check, "a-model") == "a19"
    assert assert_whole(check, "b-model") == "b19"
    assert assert_whole(check, "shared") in {"a19", "b19"}
    assert integrity(Path(path)) == "ok"
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_processes_creating_one_fresh_cache_at_once(tmp_path: Path) -> None:
    """First start of two instances at the same moment: one schema, nothing moved aside."""
    path = str(tmp_path / "fresh.sqlite")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_opener, args=(path, start)) for _ in range(4)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    check = MetadataCache(Path(path))
    assert len(check.models()) == 4
    assert not list(tmp_path.glob("*.corrupt-*"))
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_two_instances_in_one_process_write_and_read_whole_snapshots(tmp_path: Path) -> None:
    path = tmp_path / "two.sqlite"
    first, second = MetadataCache(path), MetadataCache(path)
    errors: list[BaseException] = []

    def write(cache: MetadataCache, tag: str) -> None:
        try:
            for i in range(30):
                versions, runs = snapshot("m", f"{tag}{i}")
                cache.replace_versions("m", versions, runs, diff_versions)
                cache.replace_models(
                    [RegisteredModel("m", aliases={"champion": i % 5 + 1})], diff_models
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(c, t)) for c, t in ((first, "x"), (second, "y"))
    ]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        if first.versions("m"):
            assert_whole(first, "m")
        time.sleep(0.002)
    for t in threads:
        t.join()
    assert errors == []
    assert assert_whole(second, "m") in {"x29", "y29"}
    # every alias move recorded once per sync that saw it, none lost to a race
    moves = [c for c in first.changes() if c.kind == "alias_moved"]
    assert moves and all(c.detail.startswith("champion: v") for c in moves)
    first.close()
    second.close()
    assert integrity(path) == "ok"


# -- unusable folder or file ------------------------------------------------------------------


def test_unusable_folder_is_a_clear_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(StorageError, match="Cannot create the cache folder"):
        MetadataCache(blocker / "cache.sqlite")


def test_read_only_folder_is_a_clear_error_and_the_cache_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    existing = folder / "existing.sqlite"
    cache = MetadataCache(existing)
    cache.replace_models([RegisteredModel("kept")])
    cache.close()
    before = sorted(p.name for p in folder.iterdir())
    with read_only(folder):
        for path in (existing, folder / "new.sqlite"):
            with pytest.raises(StorageError, match="Cannot open the local cache") as info:
                MetadataCache(path)
            assert "folder is writable" in str(info.value)
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing moved aside
    assert [m.name for m in MetadataCache(existing).models()] == ["kept"]


def test_unreadable_cache_file_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    if PRIVILEGED:
        pytest.skip("this process reads any file (root)")
    path = tmp_path / "locked-out.sqlite"
    cache = MetadataCache(path)
    cache.replace_models([RegisteredModel("old")])
    cache.close()
    path.chmod(0)
    rebuilt = MetadataCache(path)
    assert "moved to" in rebuilt.recovered
    assert rebuilt.models() == []
    rebuilt.replace_models([RegisteredModel("new")])
    assert len(list(tmp_path.glob("locked-out.sqlite.corrupt-*"))) == 1


def test_read_only_cache_file_is_still_readable_and_writes_fail_clearly(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    cache = MetadataCache(path)
    cache.replace_models([RegisteredModel("old")])
    cache.close()
    with read_only(path):
        try:
            ro = MetadataCache(path)
        except StorageError as exc:  # some platforms refuse WAL on a read-only file
            assert "Cannot open the local cache" in str(exc)
            return
        assert [m.name for m in ro.models()] == ["old"]  # offline review still works
        with pytest.raises(StorageError, match="readonly|read-only"):
            ro.replace_models([RegisteredModel("new")])
        assert [m.name for m in ro.models()] == ["old"]
        ro.close()


# -- full disk, failed writes -----------------------------------------------------------------
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
        print("still running", [m.name for m in cache.models()])
        cache.replace_models([RegisteredModel("small")])
        print("small write ok")
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    out = proc.stdout + proc.stderr
    assert "STORAGE: Could not write the local cache" in proc.stdout, out
    assert "still running ['kept']" in proc.stdout, out
    assert "small write ok" in proc.stdout, out
    assert [m.name for m in MetadataCache(path).models()] == ["small"]


@contextlib.contextmanager
def tiny_filesystem(where: Path, size_kb: int) -> Iterator[Path]:
    where.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
        capture_output=True,
    ).returncode:
        pytest.skip("mounting a tiny tmpfs needs privileges")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_really_full_disk(tmp_path: Path) -> None:
    """A genuine ENOSPC on a 256 KiB tmpfs (needs mount rights; the rlimit test runs anywhere)."""
    with tiny_filesystem(tmp_path / "tiny", 256) as mount:
        cache = MetadataCache(mount / "c.sqlite")
        cache.replace_models([RegisteredModel("kept", description="é" * 100)])
        big = [RegisteredModel(f"m{i}", description="x" * 4000) for i in range(200)]
        with pytest.raises(StorageError, match="disk is full"):
            cache.replace_models(big)
        assert [m.name for m in cache.models()] == ["kept"]
        cache.close()
        # with the space back (well, some of it) the same file opens and is whole
        reopened = MetadataCache(mount / "c.sqlite")
        assert reopened.recovered == ""
        assert [m.name for m in reopened.models()] == ["kept"]
        reopened.close()


@pytest.mark.parametrize(
    "message",
    ["database or disk is full", "attempt to write a readonly database", "disk I/O error"],
)
def test_failed_write_mid_sync_rolls_back_and_the_cache_keeps_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, message: str
) -> None:
    cache = MetadataCache(tmp_path / "c.sqlite")
    cache.replace_models([RegisteredModel("a", aliases={"champion": 1})], diff_models)
    versions, runs = snapshot("a", "old")
    cache.replace_versions("a", versions, runs, diff_versions)
    real = cache_module._write_many
    calls = [0]

    def failing(tx: sqlite3.Connection, sql: str, rows: list[tuple[object, ...]]) -> None:
        calls[0] += 1
        if calls[0] == 2:  # after the first statement of the sync went through
            raise sqlite3.OperationalError(message)
        real(tx, sql, rows)

    monkeypatch.setattr(cache_module, "_write_many", failing)
    new_versions, new_runs = snapshot("a", "new")
    with pytest.raises(StorageError, match=f"Could not write the local cache: {message}"):
        cache.replace_versions("a", new_versions, new_runs, diff_versions)
    calls[0] = 0
    with pytest.raises(StorageError):
        cache.replace_models([RegisteredModel("a", aliases={"champion": 2})], diff_models)
    assert assert_whole(cache, "a") == "old"
    assert cache.models()[0].aliases == {"champion": 1}
    assert cache.changes() == []  # nothing recorded for syncs that did not land
    monkeypatch.setattr(cache_module, "_write_many", real)
    changes = cache.replace_models([RegisteredModel("a", aliases={"champion": 2})], diff_models)
    assert [c.detail for c in changes] == ["champion: v1 -> v2"]
    assert integrity(tmp_path / "c.sqlite") == "ok"


# -- schema versions --------------------------------------------------------------------------
def test_schema_migrates_from_older_and_refuses_newer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite"
    old = MetadataCache(path)
    old.replace_models([RegisteredModel("kept", description="written by the older app")])
    old.close()
    extra = "CREATE TABLE IF NOT EXISTS extra (k TEXT PRIMARY KEY)"
    monkeypatch.setattr(cache_module, "MIGRATIONS", [*cache_module.MIGRATIONS, extra])
    monkeypatch.setattr(cache_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    upgraded = MetadataCache(path)
    assert upgraded.recovered == ""
    assert [m.description for m in upgraded.models()] == ["written by the older app"]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert conn.execute("SELECT COUNT(*) FROM extra").fetchone()[0] == 0
    upgraded.close()
    monkeypatch.setattr(cache_module, "SCHEMA_VERSION", SCHEMA_VERSION)
    monkeypatch.setattr(cache_module, "MIGRATIONS", cache_module.MIGRATIONS[:-1])
    downgraded = MetadataCache(path)  # written by a newer app: moved aside, rebuilt
    assert "newer than this app understands" in downgraded.recovered
    assert "moved to" in downgraded.recovered
    assert downgraded.models() == []
    downgraded.replace_models([RegisteredModel("fresh")])
    (aside,) = tmp_path.glob("old.sqlite.corrupt-*[0-9]")
    with contextlib.closing(sqlite3.connect(aside)) as conn:  # the newer file is kept whole
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert conn.execute("SELECT COUNT(*) FROM models").fetchone()[0] == 1


def test_migration_from_a_schema_zero_file(tmp_path: Path) -> None:
    """An empty SQLite file (user_version 0, as an interrupted first start leaves it)."""
    path = tmp_path / "zero.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE unrelated (x)")
        conn.commit()
    cache = MetadataCache(path)
    assert cache.recovered == ""
    cache.replace_models([RegisteredModel("m")])
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
