"""Schema, lineage and artifact download against the demo registry (embedded store)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modelhub_desktop.core.demo import seed_demo_registry
from modelhub_desktop.core.domain import Profile, RunData
from modelhub_desktop.core.errors import Cancelled
from modelhub_desktop.core.lineage import (
    download_version_artifacts,
    mlflow_ui_url,
    version_lineage,
)
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.registry import RegistryGateway

os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> RegistryGateway:
    root = tmp_path_factory.mktemp("demo")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    summary = seed_demo_registry(uri, str(root / "artifacts"))
    assert summary.models >= 3 and not summary.already_present
    again = seed_demo_registry(uri, str(root / "artifacts"))
    assert again.already_present and again.versions == 0
    assert "MLFLOW_TRACKING_URI" not in os.environ  # seeding leaves the process as it was
    return RegistryGateway(Profile("Local", uri, source="local"))


def test_demo_registry_content(demo: RegistryGateway) -> None:
    models = demo.list_models()
    assert len(models) >= 3
    for m in models:
        versions = demo.list_versions(m.name)
        assert 4 <= len(versions) <= 8
        assert {"champion", "challenger"} <= set(m.aliases)
        runs = demo.get_runs(v.run_id for v in versions)
        assert all(r.params and r.metrics and r.datasets for r in runs.values())


def test_signature_and_logged_model(demo: RegistryGateway) -> None:
    version = demo.list_versions("iris-classifier")[-1]
    lineage = version_lineage(demo, version)
    assert [c.name for c in lineage.inputs][:2] == ["sepal length (cm)", "sepal width (cm)"]
    assert lineage.outputs and "sklearn" in lineage.flavors
    assert lineage.logged_model_id.startswith("m-") and not lineage.problems


def test_download_with_progress_and_cancel(demo: RegistryGateway, tmp_path: Path) -> None:
    version = demo.list_versions("diabetes-regressor")[0]
    seen: list[tuple[int, int]] = []
    out = download_version_artifacts(demo, version, tmp_path,
                                     TaskContext(on_progress=lambda d, t, m: seen.append((d, t))))
    names = {p.name for p in out.rglob("*") if p.is_file()}
    assert {"MLmodel", "requirements.txt"} <= names
    assert seen and seen[-1][0] == seen[-1][1]
    ctx = TaskContext(on_progress=lambda d, t, m: ctx.cancel() if d == 1 else None)
    with pytest.raises(Cancelled):
        download_version_artifacts(demo, version, tmp_path / "c", ctx)
    assert not any((tmp_path / "c").rglob("MLmodel"))


def test_mlflow_ui_url() -> None:
    run = RunData("abc", experiment_id="7")
    assert mlflow_ui_url(Profile("p", "https://ml.example.com/"), run) == \
        "https://ml.example.com/#/experiments/7/runs/abc"
    assert mlflow_ui_url(Profile("l", "sqlite:///x.db"), run) == ""
    assert mlflow_ui_url(Profile("u", "sqlite:///x.db", ui_url="http://ui:5000"), run) == \
        "http://ui:5000/#/experiments/7/runs/abc"
