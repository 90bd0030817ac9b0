"""What every window and dialog shares: directories, profiles, secrets, tasks, settings."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings

from modelhub_desktop.core.paths import AppPaths
from modelhub_desktop.core.profiles import ProfileStore, SecretStore
from modelhub_desktop.ui.tasks import TaskRunner


@dataclass
class StartOptions:
    """What the command line asked for."""

    demo: bool = False
    model: str | None = None
    offline: bool = False
    interactive: bool = True  # False for --smoke/--screenshot: never open a modal dialog
    origin: str = ""  # why this connection opened ("from MLFLOW_TRACKING_URI", "last used"…)


@dataclass
class AppContext:
    """Long-lived services shared by windows and dialogs."""

    paths: AppPaths
    profiles: ProfileStore
    secrets: SecretStore
    runner: TaskRunner
    settings: QSettings
