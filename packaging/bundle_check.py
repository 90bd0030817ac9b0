"""Check that a frozen bundle holds what the app loads by name at run time.

    MODELHUB_BUNDLE_CHECK=1 dist/modelhub-desktop/modelhub-desktop   # the frozen app
    .venv/bin/python packaging/bundle_check.py                       # the source install

PyInstaller only sees static imports; these are the things that are found by name or by
entry point, and that a `--demo --smoke` run does not reach: keyring's backends, mlflow's
deployment plugins, a fresh sqlite store (alembic migrations read from disk), the demo's
data sets, pyqtgraph's exporters and Qt's image plugins.

Prints one line per check (`check ok NAME detail` or `check FAIL NAME error`), then
`bundle ok frozen=0|1 checks=N` (exit 0) or `bundle fail failed=NAME,...` (exit 1).
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

CHECKS: list[Callable[[Path], str]] = []
_state: dict[str, object] = {}


def check(fn: Callable[[Path], str]) -> Callable[[Path], str]:
    CHECKS.append(fn)
    return fn


@check
def keyring_backends(_tmp: Path) -> str:
    """Every backend registered by entry point imports; the native one is there."""
    import importlib.metadata

    import keyring.backend

    eps = {ep.name: ep for ep in importlib.metadata.entry_points(group="keyring.backends")}
    for ep in eps.values():
        ep.load()
    native = {"win32": "Windows", "darwin": "macOS"}.get(sys.platform, "SecretService")
    if native not in eps:
        raise RuntimeError(f"no {native} backend among {sorted(eps)}")
    detail = f"entry_points={','.join(sorted(eps))}"
    if native == "SecretService":
        # D-Bus may be absent (headless): check the libraries the backend needs instead
        import cryptography.hazmat.primitives.ciphers  # noqa: F401
        import jeepney  # noqa: F401
        import secretstorage  # noqa: F401
    else:
        # Windows (win32ctypes) and macOS (Security framework) must be usable, not just
        # importable: priority raises when the backend cannot work here.
        module = eps[native].load()
        cls = module.WinVaultKeyring if native == "Windows" else module.Keyring
        detail += f" {native}.priority={cls.priority}"
    chosen = keyring.backend.get_all_keyring()
    viable = sorted(f"{type(k).__module__.rsplit('.', 1)[-1]}.{type(k).__name__}" for k in chosen)
    return detail + f" viable={','.join(viable) or '-'}"


@check
def mlflow_sqlite_store(tmp: Path) -> str:
    """A new sqlite store: alembic migration scripts are read from disk."""
    from mlflow import MlflowClient

    uri = "sqlite:///" + (tmp / "mlflow.db").as_posix()
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.create_registered_model("bundle-check")
    models = client.search_registered_models()
    if [m.name for m in models] != ["bundle-check"]:
        raise RuntimeError(f"unexpected models {models}")
    return f"uri={uri.split('/')[-1]} models={len(models)}"


@check
def mlflow_plugins(_tmp: Path) -> str:
    """Deployment clients come from mlflow's entry points; flavors load by name."""
    import importlib
    import importlib.metadata

    from mlflow.deployments import get_deploy_client

    client = get_deploy_client("http://127.0.0.1:9")
    importlib.import_module("mlflow.sklearn")
    version = importlib.metadata.version("mlflow")
    return f"mlflow={version} deploy_client={type(client).__name__}"


@check
def s3_artifacts(_tmp: Path) -> str:
    """An s3:// artifact repository builds its boto3 client, paginator and presigned URL
    offline from botocore's service data (the bundle keeps s3, sts, sso, sso-oidc, signin);
    the credential providers' STS client too."""
    import boto3
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    keys = {"AWS_ACCESS_KEY_ID": "bundle-check", "AWS_SECRET_ACCESS_KEY": "bundle-check",
            "AWS_DEFAULT_REGION": "us-east-1"}
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(keys)
    try:
        repo = get_artifact_repository("s3://bundle-check/artifacts")
        client = repo._get_s3_client()
        client.get_paginator("list_objects_v2")
        url = client.generate_presigned_url(
            "get_object", Params={"Bucket": "bundle-check", "Key": "model/MLmodel"})
        sts = boto3.session.Session().client("sts")
        sso = boto3.session.Session().client("sso")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    services = len(boto3.session.Session().get_available_services())
    return (f"repo={type(repo).__name__} presigned={url.split('?')[0]} "
            f"clients={client.meta.service_model.service_name},"
            f"{sts.meta.service_model.service_name},{sso.meta.service_model.service_name} "
            f"botocore_services={services}")


@check
def demo_datasets(_tmp: Path) -> str:
    from sklearn import datasets

    shapes = [loader(as_frame=True).frame.shape for loader in
              (datasets.load_iris, datasets.load_wine, datasets.load_diabetes)]
    return " ".join(f"{rows}x{cols}" for rows, cols in shapes)


@check
def qt_plugins(_tmp: Path) -> str:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QImageReader
    from PySide6.QtWidgets import QApplication

    from modelhub_desktop.ui.resources import app_icon

    app = QApplication.instance() or QApplication([sys.argv[0]])
    _state["app"] = app
    formats = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
    missing = {"png", "svg", "jpeg"} - formats
    if missing:
        raise RuntimeError(f"image formats missing: {sorted(missing)}")
    if app_icon().isNull():
        raise RuntimeError("app icon not found in the bundle")
    return f"platform={app.platformName()} formats={','.join(sorted(formats))}"


@check
def pyqtgraph_exporters(tmp: Path) -> str:
    """PNG and CSV through pyqtgraph's exporters, SVG through QtSvg (as the app does)."""
    import pyqtgraph as pg
    from pyqtgraph.exporters import CSVExporter, ImageExporter
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    widget = pg.PlotWidget()
    widget.plot([0, 1, 2, 3], [1.0, 0.5, 0.3, 0.2], name="loss")
    widget.resize(320, 200)
    ImageExporter(widget.getPlotItem()).export(str(tmp / "plot.png"))
    CSVExporter(widget.getPlotItem()).export(str(tmp / "plot.csv"))
    generator = QSvgGenerator()
    generator.setFileName(str(tmp / "plot.svg"))
    generator.setSize(widget.size())
    generator.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    painter = QPainter(generator)
    widget.render(painter)
    painter.end()
    widget.deleteLater()
    sizes = []
    for name in ("plot.png", "plot.csv", "plot.svg"):
        size = (tmp / name).stat().st_size if (tmp / name).exists() else 0
        if size == 0:
            raise RuntimeError(f"{name} was not written")
        sizes.append(f"{name}={size}")
    return " ".join(sizes)


def main() -> int:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="modelhub-bundle-check-",
                                     ignore_cleanup_errors=True) as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)  # anything written relative to the working directory lands here
        try:
            for fn in CHECKS:
                try:
                    detail = fn(Path(tmp))
                except Exception as exc:  # noqa: BLE001 - report every failing check
                    failed.append(fn.__name__)
                    print(f"check FAIL {fn.__name__} {type(exc).__name__}: {exc}", flush=True)
                    traceback.print_exc(file=sys.stderr)
                else:
                    print(f"check ok {fn.__name__} {detail}", flush=True)
        finally:
            os.chdir(cwd)
    if failed:
        print(f"bundle fail failed={','.join(failed)}", flush=True)
        return 1
    print(f"bundle ok frozen={int(bool(getattr(sys, 'frozen', False)))} checks={len(CHECKS)}",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
