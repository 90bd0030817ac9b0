"""The watch: a background poll per profile noticing alias and stage moves by others.

Every interval (per profile in the settings, `profiles/<name>/watchIntervalS`, default
120 s, 0 = off) one request per watched model — the open one and those opened this
session — and a desktop notification when something moved: a system tray message where
the platform has a tray, else the window's notice bar (`choose_notifier`; a notifier can
be passed in). The timer stops when the window closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from modelhub_desktop.core.domain import Profile
from modelhub_desktop.core.errors import ModelHubError
from modelhub_desktop.core.governance_settings import OFF, read_interval
from modelhub_desktop.core.watch import WatchNotice, poll
from modelhub_desktop.ui.task_keys import TaskKey

if TYPE_CHECKING:
    from modelhub_desktop.ui.main_window import MainWindow

MAX_WATCHED = 20
TITLE = "ModelHub: alias or stage moved"


def interval_key(profile: Profile) -> str:
    return f"profiles/{profile.name}/watchIntervalS"


class Notifier(Protocol):
    """Where a watch notice goes."""

    def notify(self, title: str, text: str) -> None: ...


class TrayNotifier:
    """A system tray message (the icon is made on the first notice)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.tray: QSystemTrayIcon | None = None

    def notify(self, title: str, text: str) -> None:
        if self.tray is None:
            self.tray = QSystemTrayIcon(self.window.windowIcon(), self.window)
            self.tray.show()
        self.tray.showMessage(title, text)


class NoticeBarNotifier:
    """The window's notice bar, where the platform has no tray."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def notify(self, title: str, text: str) -> None:
        self.window.notice.add(text)


def choose_notifier(window: MainWindow, tray_available: bool | None = None) -> Notifier:
    """The tray where the platform has one (`tray_available` None: ask Qt), else the
    notice bar."""
    if tray_available is None:
        tray_available = QSystemTrayIcon.isSystemTrayAvailable()
    return TrayNotifier(window) if tray_available else NoticeBarNotifier(window)


class ModelWatch(QObject):
    #: moves by others were noticed: list[WatchNotice]
    noticed = Signal(object)

    def __init__(self, window: MainWindow, notifier: Notifier | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.watched: list[str] = []
        self.notifier: Notifier = notifier or choose_notifier(window)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.poll_now)
        window.installEventFilter(self)

    def start(self, profile: Profile) -> None:
        """Poll `profile`'s server at its interval; forget the models watched before."""
        self.watched = []
        self.set_interval(read_interval(self.window.ctx.settings.value(interval_key(profile))))

    def set_interval(self, seconds: int) -> None:
        """(Re)start the timer at `seconds`, or stop it (`OFF`)."""
        if seconds == OFF:
            self.timer.stop()
        else:
            self.timer.start(seconds * 1000)

    def stop(self) -> None:
        self.timer.stop()

    def watch(self, model_name: str) -> None:
        if model_name in self.watched:
            return
        self.watched.append(model_name)
        del self.watched[:-MAX_WATCHED]

    def poll_now(self) -> None:
        c = self.window.controller
        session = c.session
        if session is None or not c.can_write or not self.watched:
            return
        if c.runner.is_running(TaskKey.WATCH):
            return
        gateway, cache, names = session.gateway, session.cache, list(self.watched)
        c.runner.submit(lambda task: poll(gateway, cache, names, task), key=TaskKey.WATCH,
                        owner=self, description="watch aliases and stages",
                        on_result=self._notify, on_error=self._failed)

    def _failed(self, error: ModelHubError) -> None:
        self.window.status.showMessage(f"Watching for alias moves: {error}", 8000)

    def _notify(self, notices: list[WatchNotice]) -> None:
        if not notices:
            return
        text = "Moved by someone else — " + " | ".join(n.text for n in notices)
        self.notifier.notify(TITLE, text)
        self.noticed.emit(notices)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.timer.stop()
        return False
