"""MetadataCache: round trips, one-transaction syncs, corruption recovery."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.domain import ModelVersion, RegisteredModel, RunData
from modelhub_desktop.core.sync import diff_models, diff_versions


def _model(name: str, **kw: object) -> RegisteredModel:
    return RegisteredModel(name=name, **kw)  # type: ignore[arg-type]


def test_models_round_trip_and_changes(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path / "c.sqlite")
    first = [_model("a", aliases={"champion": 1}), _model("b")]
    assert cache.replace_models(first, diff_models) == []  # first sync: no "changes"
    second = [_model("a", aliases={"champion": 3}), _model("c")]
    changes = cache.replace_models(second, diff_models)
    kinds = {(c.kind, c.model_name, c.detail) for c in changes}
    assert ("alias_moved", "a", "champion: v1 -> v3") in kinds
    assert ("model_added", "c", "New model") in kinds
    assert ("model_deleted", "b", "Model deleted") in kinds
    assert cache.models() == second
    assert cache.unread_changes() == 3
    cache.mark_changes_read()
    assert cache.unread_changes() == 0


def test_versions_and_runs_round_trip(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path / "c.sqlite")
    run = RunData("r1", params={"lr": "0.1"}, metrics={"nan": math.nan, "inf": math.inf})
    versions = [
        ModelVersion("m", 2, run_id="r1", aliases=("champion",)),
        ModelVersion("m", 1, run_id=""),
    ]
    cache.replace_versions("m", versions, {"r1": run}, diff_versions)
    assert cache.versions("m") == versions
    got = cache.runs(["r1"])["r1"]
    assert math.isnan(got.metrics["nan"]) and got.metrics["inf"] == math.inf
    assert got.params == {"lr": "0.1"}
    changed = [ModelVersion("m", 2, run_id="r1", current_stage="Production")]
    changes = cache.replace_versions("m", changed, {}, diff_versions)
    assert {c.detail for c in changes} == {"v1 deleted", "v2: None -> Production"}


def test_failed_sync_leaves_previous_snapshot(tmp_path: Path) -> None:
    cache = MetadataCache(tmp_path / "c.sqlite")
    cache.replace_models([_model("keep")])

    def boom(old: object, new: object, at: int) -> list:
        raise RuntimeError("killed mid-sync")

    with pytest.raises(RuntimeError):
        cache.replace_models([_model("other")], boom)
    assert [m.name for m in cache.models()] == ["keep"]


@pytest.mark.parametrize("garbage", [b"", b"not a database at all" * 100, b"SQLite format 3\x00"])
def test_corrupted_cache_is_moved_aside(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "c.sqlite"
    cache = MetadataCache(path)
    cache.replace_models([_model("a")])
    cache.close()
    data = path.read_bytes()
    path.write_bytes(garbage + data[len(garbage) :][:100] if garbage else data[: len(data) // 3])
    recovered = MetadataCache(path)
    assert "moved" in recovered.recovered
    assert list(tmp_path.glob("c.sqlite.corrupt-*"))
    assert recovered.models() == []
    recovered.replace_models([_model("b")])
    assert [m.name for m in recovered.models()] == ["b"]


def test_truncated_cache_recovers(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = MetadataCache(path)
    cache.replace_models([_model(f"m{i}", description="x" * 5000) for i in range(50)])
    cache.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.write_bytes(path.read_bytes()[:5000])
    recovered = MetadataCache(path)
    assert recovered.recovered
    assert recovered.models() == []


names = st.text(min_size=1, max_size=255).filter(lambda s: s.strip() != "")
floats = st.floats(allow_nan=True, allow_infinity=True)


@settings(
    max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(name=names, description=st.text(max_size=10_000), value=floats)
def test_odd_values_round_trip(tmp_path: Path, name: str, description: str, value: float) -> None:
    cache = MetadataCache(tmp_path / "prop.sqlite")
    model = _model(name, description=description, tags={name: description[:50]})
    cache.replace_models([model])
    assert cache.models() == [model]
    run = RunData(run_id="r", metrics={name: value})
    cache.replace_versions(
        name, [ModelVersion(name, 1, description=description, run_id="r")], {"r": run}
    )
    got = cache.runs(["r"])["r"].metrics[name]
    assert (math.isnan(got) and math.isnan(value)) or got == value
    assert cache.versions(name)[0].description == description
    cache.close()
