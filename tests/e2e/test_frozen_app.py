"""The frozen (PyInstaller) app and the .deb launch, show the demo registry and serve a model.

Builds dist/ with packaging/build_linux.sh unless a build newer than every source is there
(PyInstaller's work folder under build/ is reused either way), then launches the bundle
and the unpacked .deb with `--demo --smoke` offscreen, as a user's first start would, and
runs the bundle's `serve` command on a scikit-learn version of a real `mlflow server`.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.builders import client_for
from tests.deploy_models import ROWS, fluent_uri, iris_models, payload, register_sklearn
from tests.servers import MlflowServer, MotoS3Server, free_port

# a fresh build takes ~4-5 minutes on a 2-core machine
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1800)]
ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
BUNDLE = DIST / "modelhub-desktop" / "modelhub-desktop"
#: what the bundle may weigh on disk (`du -sm dist/modelhub-desktop`)
MAX_BUNDLE_MB = 300
# what goes into the Linux bundle and packages (not the Windows/macOS scripts or docs)
SOURCES = [
    ROOT / "modelhub_desktop",
    ROOT / "resources",
    ROOT / "pyproject.toml",
    *(
        ROOT / "packaging" / name
        for name in (
            "modelhub-desktop.spec",
            "build_linux.sh",
            "launch.py",
            "bundle_check.py",
            "appinfo.py",
            "slim_icu.py",
            "standins",
        )
    ),
]


def _newest_source() -> float:
    newest = 0.0
    for src in SOURCES:
        files = (
            [src]
            if src.is_file()
            else [p for p in src.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        )
        newest = max([newest, *(p.stat().st_mtime for p in files)])
    return newest


def _debs() -> list[Path]:
    return sorted(DIST.glob("modelhub-desktop_*.deb"), key=lambda p: p.stat().st_mtime)


def _fresh() -> bool:
    debs = _debs()
    newest = _newest_source()
    return (
        BUNDLE.exists()
        and bool(debs)
        and BUNDLE.stat().st_mtime > newest
        and debs[-1].stat().st_mtime > newest
    )


@pytest.fixture(scope="module")
def deb() -> Path:
    pytest.importorskip("PyInstaller", reason="PyInstaller missing: pip install -e '.[package]'")
    if not _fresh():
        env = dict(os.environ, MODELHUB_VENV=str(Path(sys.executable).parent.parent))
        proc = subprocess.run(["bash", str(ROOT / "packaging" / "build_linux.sh")], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=1500)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    assert BUNDLE.exists(), "build_linux.sh left no bundle"
    return _debs()[-1]


def _env() -> dict[str, str]:
    """The environment of a user's session: no venv, no test settings, offscreen Qt."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "MLFLOW_", "MODELHUB_", "QT_"))
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["MLFLOW_DISABLE_TELEMETRY"] = "true"
    return env


def smoke(binary: Path, data: Path) -> dict[str, str]:
    """Launch `binary --demo --smoke`; the fields of its `smoke ...` line."""
    proc = subprocess.run(
        [str(binary), "--demo", "--smoke", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("smoke ")]
    assert lines, f"exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    line = lines[-1]
    assert line.startswith("smoke ok "), line + "\n" + proc.stderr[-3000:]
    assert proc.returncode == 0, line
    return dict(re.findall(r"(\w+)=(\S+)", line))


def test_frozen_bundle_runs_the_demo(deb: Path, tmp_path: Path) -> None:
    fields = smoke(BUNDLE, tmp_path / "data")
    assert fields["profile"] == "Local" and fields["mode"] == "online", fields
    assert int(fields["models"]) >= 3, fields
    # the demo was seeded inside the bundle (mlflow sqlite store + scikit-learn)
    assert any((tmp_path / "data").rglob("mlflow.db")), fields
    again = smoke(BUNDLE, tmp_path / "data")  # second start: the store is already there
    assert int(again["models"]) == int(fields["models"]), again


def test_frozen_bundle_self_check(deb: Path) -> None:
    """keyring backends, mlflow entry points and a new sqlite store, pyqtgraph exporters."""
    env = dict(_env(), MODELHUB_BUNDLE_CHECK="1")
    proc = subprocess.run([str(BUNDLE)], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert proc.stdout.splitlines()[-1].startswith("bundle ok frozen=1"), proc.stdout


def test_bundle_leaves_out_what_the_app_does_not_use(deb: Path) -> None:
    internal = BUNDLE.parent / "_internal"
    qt = internal / "PySide6" / "Qt"
    assert not (qt / "translations").exists()
    assert not list((qt / "plugins").glob("platformthemes/*gtk*"))
    assert not list((qt / "plugins").glob("platforms/*eglfs*"))
    assert {p.name for p in (qt / "plugins" / "platforms").iterdir()} >= {
        "libqoffscreen.so",
        "libqxcb.so",
        "libqwayland.so",
    }
    for absent in (
        "PIL",
        "pyarrow",
        "matplotlib",
        "tkinter",
        "IPython",
        "flask",
        "aiohttp",
        "PySide6/QtNetwork.abi3.so",
        "PySide6/QtOpenGL.abi3.so",  # a stand-in module takes its place
        "libgtk-3.so.0",
        "libcairo.so.2",
    ):
        assert not (internal / absent).exists(), absent


def test_deb_installs_an_app_that_runs(deb: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    control = subprocess.run(
        ["dpkg-deb", "-f", str(deb)], check=True, capture_output=True, text=True
    ).stdout
    assert "Package: modelhub-desktop" in control
    desktop = root / "usr/share/applications/modelhub-desktop.desktop"
    assert "Exec=modelhub-desktop" in desktop.read_text(encoding="utf-8")
    for size in (16, 32, 48, 128, 256, 512):
        assert (root / f"usr/share/icons/hicolor/{size}x{size}/apps/modelhub-desktop.png").exists()
    assert (root / "usr/share/icons/hicolor/scalable/apps/modelhub-desktop.svg").exists()
    assert (root / "usr/share/metainfo/io.modelhub.Desktop.metainfo.xml").exists()
    # on PATH: /usr/bin/modelhub-desktop links (relatively) to /opt/modelhub-desktop; the
    # bootloader must find its _internal folder through the link
    link = root / "usr/bin/modelhub-desktop"
    assert link.is_symlink()
    assert link.resolve() == (root / "opt/modelhub-desktop/modelhub-desktop").resolve()
    fields = smoke(link, tmp_path / "data")
    assert int(fields["models"]) >= 3, fields


def test_bundle_size(deb: Path) -> None:
    out = subprocess.run(["du", "-sm", str(BUNDLE.parent)], check=True, capture_output=True,
                         text=True).stdout
    size_mb = int(out.split()[0])
    assert size_mb <= MAX_BUNDLE_MB, f"the bundle weighs {size_mb} MB (at most {MAX_BUNDLE_MB})"
    # what keeps it there: botocore describes S3 and the credential services only, and ICU
    # carries the data Qt reads
    services = {p.name for p in (BUNDLE.parent / "_internal" / "botocore" / "data").iterdir()
                if p.is_dir()}
    assert services == {"s3", "sts", "sso", "sso-oidc", "signin"}, services
    icu = next((BUNDLE.parent / "_internal" / "PySide6" / "Qt" / "lib").glob("libicudata.so.*"))
    assert icu.stat().st_size < 10_000_000, icu.stat().st_size


@contextmanager
def serving(model_uri: str, data: Path, env: dict[str, str], *args: str) -> Iterator[str]:
    """`modelhub-desktop serve MODEL_URI` from the bundle on a free port: its base URL once
    /ping answers; stopped (SIGTERM) afterwards, gracefully, leaving the port free."""
    port = free_port()
    log = data.parent / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BUNDLE), "serve", model_uri, "--port", str(port), "--data-dir", str(data),
             *args], stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"exit {proc.returncode}:\n{log.read_text()[-3000:]}"
            try:
                if requests.get(f"{base}/ping", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "no /ping in 120 s:\n" + log.read_text()[-3000:]
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        code = proc.wait(timeout=30)
    # uvicorn shuts down gracefully on SIGTERM, then ends with that signal
    assert code in (0, -signal.SIGTERM), log.read_text()[-3000:]
    assert "Finished server process" in log.read_text(), log.read_text()[-3000:]
    with socket.socket() as sock:  # the port is free again (as a server binds it)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    # the version's files went into the data dir's model cache
    assert any(data.rglob("MLmodel")), log.read_text()[-3000:]


def _expected(model: Any) -> list[int]:
    """The model's own predictions on the request's rows."""
    import pandas as pd

    frame = pd.DataFrame(ROWS, columns=payload()["dataframe_split"]["columns"])
    return [int(v) for v in model.predict(frame)]


def test_frozen_bundle_serves_a_registered_version(deb: Path, mlflow_server: MlflowServer,
                                                   tmp_path: Path) -> None:
    """`modelhub-desktop serve` downloads a version from the server and answers with what
    the model itself predicts."""
    name = "frozen-serve-iris"
    model = iris_models()[0]
    client_for(mlflow_server.url).create_registered_model(name)
    (version,) = register_sklearn(mlflow_server.url, name, [model])

    with serving(f"models:/{name}/{version}", tmp_path / "data", _env(),
                 "--tracking-uri", mlflow_server.url) as base:
        answer = requests.post(f"{base}/invocations", json=payload(), timeout=30)
        assert answer.status_code == 200, answer.text
        assert [int(v) for v in answer.json()["predictions"]] == _expected(model)
        bad = requests.post(f"{base}/invocations", data="{not json",
                            headers={"Content-Type": "application/json"}, timeout=30)
        assert bad.status_code == 400, bad.text
        stats = requests.get(f"{base}/modelhub/stats", timeout=5).json()
        assert (stats["requests"], stats["errors"], stats["version"]) == (2, 1, version), stats


def test_frozen_bundle_serves_a_version_stored_in_s3(deb: Path, mlflow_server: MlflowServer,
                                                     tmp_path: Path) -> None:
    """The model's files are in an S3-compatible store: the bundle's boto3 fetches them with
    the usual AWS variables and MLFLOW_S3_ENDPOINT_URL (a profile from the environment)."""
    name = "frozen-serve-s3"
    model = iris_models()[1]
    s3 = MotoS3Server(tmp_path / "moto").start()
    try:
        s3.create_bucket("frozen-models")
        client = client_for(mlflow_server.url)
        client.create_registered_model(name)
        with pytest.MonkeyPatch.context() as mp, fluent_uri(mlflow_server.url) as mlflow:
            for key, value in {**s3.aws_env(), "MLFLOW_S3_ENDPOINT_URL": s3.url}.items():
                mp.setenv(key, value)
            exp = client.create_experiment("frozen-s3", artifact_location="s3://frozen-models/x")
            with mlflow.start_run(experiment_id=exp):
                info = mlflow.sklearn.log_model(model, name="model")
            version = int(client.create_model_version(name, info.model_uri,
                                                      model_id=info.model_id).version)
        assert client.get_logged_model(info.model_id).artifact_location.startswith("s3://")
        env = {**_env(), **s3.aws_env(), "MLFLOW_S3_ENDPOINT_URL": s3.url,
               "MLFLOW_TRACKING_URI": mlflow_server.url}
        with serving(f"models:/{name}/{version}", tmp_path / "data", env) as base:
            answer = requests.post(f"{base}/invocations", json=payload(), timeout=30)
            assert answer.status_code == 200, answer.text
            assert [int(v) for v in answer.json()["predictions"]] == _expected(model)
    finally:
        s3.stop()
