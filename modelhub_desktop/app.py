"""Start-up: command line, QApplication, main window. Imports no mlflow (it is slow).

`--smoke` prints one machine-readable line (format is a stable interface, see DESIGN.md):
    smoke ok profile=Local mode=online models=3 versions=6 window_s=0.41 data_s=1.9
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

_T0 = time.monotonic()


def process_uptime() -> float:
    """Seconds since this process started (Linux: from /proc; else since import)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - _T0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="modelhub-desktop",
        description="Desktop client for the MLflow Model Registry.",
        epilog="Serve a registered version: modelhub-desktop serve MODEL_URI [--port N] "
               "[--host H] (see modelhub-desktop serve --help).",
    )
    p.add_argument("--profile", help="connection profile to open")
    p.add_argument("--tracking-uri", help="open this tracking URI (http(s), sqlite, file)")
    p.add_argument("--model", help="registered model to open")
    p.add_argument("--data-dir", help="keep all config, cache and data under this folder")
    p.add_argument(
        "--demo",
        action="store_true",
        help="fill the embedded Local registry with demo models (once)",
    )
    p.add_argument("--offline", action="store_true", help="show cached data only")
    p.add_argument(
        "--screenshot",
        metavar="PATH",
        help="save a PNG of the main window once its data is shown, then quit",
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="open, wait for data, print one 'smoke ok ...' line, exit",
    )
    p.add_argument("--version", action="store_true", help="print the version and exit")
    return p.parse_args(argv)


def setup_logging(log_dir: Path) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_dir / "modelhub.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in ("urllib3", "alembic", "mlflow", "sqlalchemy", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def route_qt_messages() -> None:
    """Send Qt's warnings to the log file instead of the terminal."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(mode: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(mode, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:  # the serving command: no Qt, no window
        from modelhub_desktop.core.serve import main as serve

        return serve(argv[1:])
    args = parse_args(argv)
    from modelhub_desktop import APP_NAME, ORG_NAME, __version__

    if args.version:
        print(f"{APP_NAME} {__version__}")
        return 0
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    headless = args.smoke or args.screenshot
    if headless and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from modelhub_desktop.core.errors import ModelHubError
    from modelhub_desktop.core.paths import AppPaths
    from modelhub_desktop.core.profiles import ProfileStore, SecretStore
    from modelhub_desktop.core.start_profile import choose_start_profile

    paths = AppPaths.resolve(args.data_dir)
    try:
        paths.ensure()
    except OSError as exc:
        print(f"{APP_NAME}: cannot create data folders: {exc}", file=sys.stderr)
        if args.smoke:
            print(f"smoke fail reason=data-dir {exc}")
        return 2
    setup_logging(paths.log_dir)

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from modelhub_desktop.ui.app_context import AppContext, StartOptions
    from modelhub_desktop.ui.main_window import MainWindow
    from modelhub_desktop.ui.resources import app_icon
    from modelhub_desktop.ui.tasks import TaskRunner

    route_qt_messages()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("modelhub-desktop")
    app.setWindowIcon(app_icon())

    store = ProfileStore(paths)
    try:
        choice = choose_start_profile(store, profile_name=args.profile,
                                      tracking_uri=args.tracking_uri, environ=os.environ,
                                      demo=args.demo)
    except ModelHubError as exc:  # an unknown --profile, a bad --tracking-uri: say it, stop
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        if args.smoke:
            print(f"smoke fail reason={exc}")
        return 2
    settings = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)
    ctx = AppContext(paths, store, SecretStore(store), TaskRunner(), settings)
    options = StartOptions(demo=args.demo, model=args.model, offline=args.offline,
                           interactive=not headless, origin=choice.origin)
    window = MainWindow(ctx, choice.profile, options)
    window.show()
    timings: dict[str, float] = {}
    QTimer.singleShot(0, lambda: timings.setdefault("window_s", process_uptime()))
    outcome = {"code": 0}
    if headless:
        from modelhub_desktop.ui.smoke import run_headless

        run_headless(window, window.readiness, lambda: window.profile.name, timings,
                     process_uptime, smoke=args.smoke, screenshot=args.screenshot,
                     outcome=outcome)
    app.exec()
    return outcome["code"]


if __name__ == "__main__":
    raise SystemExit(main())
