"""SessionController: the connected profile, its refresh and its offline state machine.

It owns opening a profile (the secret read off the UI thread, asked for when missing),
the refresh of models and versions, the retry with back-off while the server is away,
and the cached-first loading of a model's versions. It holds no widgets: the window
listens to its signals and shows what they carry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from modelhub_desktop.core.domain import Credentials, Profile
from modelhub_desktop.core.errors import (
    AuthFailed,
    Cancelled,
    ModelHubError,
    StorageError,
    Unreachable,
)
from modelhub_desktop.core.formatting import elide_middle, fmt_ts, plural
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.session import ProfileSession
from modelhub_desktop.core.sync import (
    ModelsSnapshot,
    VersionsPage,
    VersionsSnapshot,
    cached_models,
    cached_versions,
    refresh_models,
    refresh_versions,
    search_models,
)
from modelhub_desktop.ui.app_context import AppContext, StartOptions
from modelhub_desktop.ui.models.version_rows import RowBatch, prepare_rows
from modelhub_desktop.ui.task_keys import TaskKey

log = logging.getLogger(__name__)

RETRY_DELAYS_S = (5, 10, 20, 40, 60)
AskCredentials = Callable[[Profile, str], Credentials]
#: the tasks Esc cancels
CANCELLABLE = (TaskKey.REFRESH_MODELS, TaskKey.REFRESH_VERSIONS, TaskKey.SEED_DEMO,
               TaskKey.SEARCH_MODELS, TaskKey.DOWNLOAD)


class SessionController(QObject):
    """Opens profiles and keeps their data fresh; reports everything by signal."""

    profileOpened = Signal(object)  # noqa: N815 - Profile; views start over
    modelsShown = Signal(object, bool)  # noqa: N815 - list[RegisteredModel], reset
    modeChanged = Signal(str)  # noqa: N815 - "connecting" | "online" | "offline"
    bannerChanged = Signal(str)  # noqa: N815 - offline banner text; "" hides it
    statusMessage = Signal(str, int)  # noqa: N815 - text, timeout ms
    busyChanged = Signal(bool)  # noqa: N815
    progressed = Signal(int, int, str)
    changesChanged = Signal()  # noqa: N815
    noticed = Signal(str)
    searchFailed = Signal(str)  # noqa: N815
    versionsCached = Signal(str, object, object)  # noqa: N815 - name, snapshot, RowBatch
    versionsPage = Signal(str, object)  # noqa: N815 - name, VersionsPage
    versionsLoaded = Signal(object, object)  # noqa: N815 - VersionsSnapshot, RowBatch
    modelsSettled = Signal()  # noqa: N815 - the model list is as good as it gets
    versionsSettled = Signal(str)  # noqa: N815 - this model's versions are shown as they are
    failed = Signal(str)  # an error nothing on screen fixes (headless start)

    def __init__(self, ctx: AppContext, options: StartOptions, profile: Profile,
                 ask_credentials: AskCredentials, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.options = options
        self.profile = profile
        self.session: ProfileSession | None = None
        self.online: bool | None = None
        self.current_model = ""
        self._ask_credentials = ask_credentials
        self._retry_index = 0
        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.timeout.connect(self.refresh)

    @property
    def runner(self) -> Any:
        return self.ctx.runner

    @property
    def can_write(self) -> bool:
        """Whether the server is there to take a change."""
        return bool(self.online) and not self.options.offline

    # -- opening ------------------------------------------------------------------------
    def open_profile(self, profile: Profile, reason: str = "") -> None:
        """Show `profile`: its secret from the keychain (read on a worker: a locked keychain
        can take its time), then cached data at once, then a background refresh."""
        self.retry_timer.stop()
        self.runner.cancel_all()
        if self.session is not None and self.session.profile != profile:
            self.close()
        if profile.auth == "none":
            self._open_with(profile, Credentials())
            return
        if reason:
            self._open_with(profile, self._ask_credentials(profile, reason))
            return
        secrets = self.ctx.secrets

        def read(ctx: TaskContext) -> Credentials:
            creds: Credentials = secrets.credentials(profile)
            ctx.check()
            return creds

        def got(creds: Credentials) -> None:
            if creds.password or creds.token:
                self._open_with(profile, creds)
            else:
                self._open_with(profile, self._ask_credentials(
                    profile, "No password or token is stored for this profile."))

        def failed(error: ModelHubError) -> None:
            if not isinstance(error, Cancelled):
                self._open_with(profile, self._ask_credentials(profile, str(error)))

        self.statusMessage.emit(f"Reading the secret of {profile.name} from the keychain…", 0)
        self.runner.submit(read, key=TaskKey.READ_SECRET, owner=self,
                           description="read keychain", on_result=got, on_error=failed)

    def _open_with(self, profile: Profile, creds: Credentials) -> None:
        self.profile = profile
        try:
            self.session = ProfileSession(profile, creds, self.ctx.paths)
        except StorageError as exc:
            self.failed.emit(str(exc))
            return
        if self.session.cache.recovered:
            self.noticed.emit(self.session.cache.recovered)
        self.ctx.profiles.set_last_used(profile)
        self.online = None
        self.current_model = ""
        self.profileOpened.emit(profile)
        snapshot = cached_models(self.session.cache)
        self.modelsShown.emit(snapshot.models, True)
        self.modeChanged.emit("connecting")
        self.changesChanged.emit()
        if self.options.offline:
            self._go_offline(forced=True)
        elif self.options.demo and profile.source == "local":
            self._seed_demo()
        else:
            self.refresh()

    def close(self) -> None:
        """Let go of the session (its cache file); queued results then find none."""
        self.retry_timer.stop()
        session, self.session = self.session, None
        self.current_model = ""
        if session is not None:
            session.close()

    # -- demo ---------------------------------------------------------------------------
    def _seed_demo(self) -> None:
        from modelhub_desktop.core.demo import seed_demo_registry

        store = self.ctx.paths.local_store_dir
        uri = self.profile.tracking_uri

        def work(task: TaskContext) -> object:
            store.mkdir(parents=True, exist_ok=True)
            return seed_demo_registry(uri, str(store / "artifacts"), progress=task.progress,
                                      is_cancelled=lambda: task.cancelled)

        self.busyChanged.emit(True)
        self.statusMessage.emit("Preparing the demo registry…", 0)
        self.runner.submit(
            work, key=TaskKey.SEED_DEMO, owner=self, description="seed demo registry",
            on_result=lambda _summary: self.refresh(), on_error=self._on_refresh_error,
            on_progress=lambda d, t, m: self.progressed.emit(
                d, t, f"Creating demo models: {d}/{t} {m}"),
        )

    # -- refresh ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Models from the server (then the current model's versions), unless offline."""
        if self.session is None or self.options.offline:
            return
        session = self.session

        def work(task: TaskContext) -> ModelsSnapshot:
            session.gateway.ping()
            return refresh_models(session.gateway, session.cache, task)

        self.busyChanged.emit(True)
        self.statusMessage.emit(f"Refreshing from {self.profile.tracking_uri}…", 0)
        self.runner.submit(work, key=TaskKey.REFRESH_MODELS, owner=self,
                           description="refresh models", on_result=self._on_models_refreshed,
                           on_error=self._on_refresh_error)

    def cancel(self) -> None:
        for key in CANCELLABLE:
            self.runner.cancel(key)
        self.busyChanged.emit(False)
        self.statusMessage.emit("Cancelled.", 5000)

    def _on_models_refreshed(self, snapshot: ModelsSnapshot) -> None:
        self.busyChanged.emit(False)
        self._set_online()
        self.modelsShown.emit(snapshot.models, False)
        self.changesChanged.emit()
        message = plural(len(snapshot.models), "model")
        if snapshot.changes:
            message += f", {plural(len(snapshot.changes), 'change')} since last sync"
        self.statusMessage.emit(message, 8000)
        self.modelsSettled.emit()
        if not snapshot.models:
            self.versionsSettled.emit("")
        elif self.current_model and not self.runner.is_running(TaskKey.REFRESH_VERSIONS):
            self._refresh_versions(self.current_model)

    def _on_refresh_error(self, error: ModelHubError) -> None:
        self.busyChanged.emit(False)
        if isinstance(error, Cancelled):
            return
        if isinstance(error, Unreachable):
            self._go_offline(forced=False, reason=str(error))
            return
        if isinstance(error, AuthFailed) and self.options.interactive:
            self.statusMessage.emit(str(error), 10000)
            self.open_profile(self.profile, reason=str(error))
            return
        self.statusMessage.emit(f"{error.title}: {error}", 15000)
        if not self.options.interactive:
            self.failed.emit(f"{error.title}: {error}")

    def _set_online(self) -> None:
        self.online = True
        self._retry_index = 0
        self.retry_timer.stop()
        self.bannerChanged.emit("")
        self.modeChanged.emit("online")

    def _go_offline(self, forced: bool, reason: str = "") -> None:
        self.online = False
        synced = self.session.cache.last_sync() if self.session else None
        when = fmt_ts(synced) if synced else "never (no cached data yet)"
        text = f"Offline: showing data from {when}."
        if forced:
            text += " Started with --offline; restart without it to go online."
        else:
            delay = RETRY_DELAYS_S[min(self._retry_index, len(RETRY_DELAYS_S) - 1)]
            self._retry_index += 1
            text += f" {reason} Retrying in {delay} s (F5 to retry now)."
            self.retry_timer.start(delay * 1000)
        self.bannerChanged.emit(text)
        self.modeChanged.emit("offline")
        self.modelsSettled.emit()

    # -- server-side search ----------------------------------------------------------------
    def search(self, query: str) -> None:
        if self.session is None:
            return
        session = self.session
        if not query:
            self.modelsShown.emit(session.cache.models(), False)
            return
        if not self.online:
            self.searchFailed.emit("Server search needs a connection.")
            return
        self.runner.submit(
            lambda task: search_models(session.gateway, session.cache, query, task),
            key=TaskKey.SEARCH_MODELS, owner=self, description="search models",
            on_result=lambda snap: self.modelsShown.emit(snap.models, True),
            on_error=self._on_search_error,
        )

    def _on_search_error(self, error: ModelHubError) -> None:
        if isinstance(error, Cancelled):
            return
        from modelhub_desktop.core.errors import InvalidInput

        prefix = "Invalid filter: " if isinstance(error, InvalidInput) else ""
        self.searchFailed.emit(f"{prefix}{error}")

    # -- versions -----------------------------------------------------------------------
    def load_versions(self, name: str) -> None:
        """Cached versions of `name` at once (decoded on a worker), then the server's."""
        if self.session is None or name == self.current_model:
            return
        self.current_model = name
        session = self.session

        def shown(got: tuple[VersionsSnapshot, RowBatch]) -> None:
            cached, batch = got
            if name == self.current_model:
                self.versionsCached.emit(name, cached, batch)
                self._refresh_versions(name)

        def unreadable(error: ModelHubError) -> None:
            if not isinstance(error, Cancelled):
                self.statusMessage.emit(f"Could not read cached versions: {error}", 15000)
                self._refresh_versions(name)

        self.runner.submit(
            lambda task: _with_rows(cached_versions(session.cache, name)),
            key=TaskKey.CACHED_VERSIONS, owner=self,
            description=f"read cached versions of {name}",
            on_result=shown, on_error=unreadable,
        )

    def reload_current_model(self) -> None:
        """The current model's versions from the server again (after a write)."""
        if self.current_model:
            self._refresh_versions(self.current_model)

    def _refresh_versions(self, name: str) -> None:
        """Versions of `name` from the server (rows update in place), unless offline."""
        if self.session is None:
            return
        if self.online is False or self.options.offline:
            self.versionsSettled.emit(name)
            return
        session = self.session

        def work(task: TaskContext) -> tuple[VersionsSnapshot, RowBatch]:
            return _with_rows(refresh_versions(session.gateway, session.cache, name, task,
                                               on_page=task.partial))

        self.busyChanged.emit(True)
        self.runner.submit(
            work, key=TaskKey.REFRESH_VERSIONS, owner=self,
            description=f"load versions of {name}",
            on_result=self._on_versions_loaded, on_error=self._on_versions_error,
            on_partial=lambda page: self._on_page(name, page),
            on_progress=lambda d, t, m: self.progressed.emit(d, t, f"Loading {m}: {d}"),
        )

    def _on_page(self, name: str, page: VersionsPage) -> None:
        if name == self.current_model:
            self.versionsPage.emit(name, page)

    def _on_versions_loaded(self, got: tuple[VersionsSnapshot, RowBatch]) -> None:
        snap, batch = got
        self.busyChanged.emit(False)
        self.statusMessage.emit(
            f"{plural(len(snap.versions), 'version')} of {elide_middle(snap.model_name, 60)}",
            5000)
        if snap.model_name != self.current_model:
            return
        if snap.changes:
            self.changesChanged.emit()
        self.versionsLoaded.emit(snap, batch)
        self.versionsSettled.emit(snap.model_name)

    def _on_versions_error(self, error: ModelHubError) -> None:
        self.busyChanged.emit(False)
        if isinstance(error, Cancelled):
            return
        if isinstance(error, Unreachable):
            if self.online is not False:
                self._go_offline(forced=False, reason=str(error))
        else:
            self.statusMessage.emit(f"Could not load versions: {error}", 15000)
        self.versionsSettled.emit(self.current_model)

    # -- changes ------------------------------------------------------------------------
    def mark_changes_read(self) -> None:
        if self.session is None:
            return
        try:
            self.session.cache.mark_changes_read()
        except StorageError as exc:
            self.statusMessage.emit(f"Could not mark the changes as read: {exc}", 15000)
            return
        self.changesChanged.emit()


def _with_rows(snapshot: VersionsSnapshot) -> tuple[VersionsSnapshot, RowBatch]:
    """(worker) The snapshot and its table rows, built here: thousands of rows take time."""
    return snapshot, prepare_rows(snapshot.versions, snapshot.runs)
