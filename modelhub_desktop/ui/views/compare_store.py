"""The compare view's metric histories: what is loaded, what is pending, which step
windows are at full resolution; loads and zoom fetches go through the task runner.

Histories are kept as arrays (`compare.HistoryArrays`), built on the worker: the UI
thread holds no per-point Python objects. The tasks are the store's children, so a
result for a closed view is dropped by Qt.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QObject, Signal

from modelhub_desktop.core import compare, zoom_window
from modelhub_desktop.core.cache import MetadataCache
from modelhub_desktop.core.chart_data import ArraysContext, PointsView
from modelhub_desktop.core.domain import MetricPoint
from modelhub_desktop.core.errors import Cancelled, ModelHubError
from modelhub_desktop.core.histories import MAX_POINTS_PER_RUN, fetch_histories, load_histories
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.core.registry import RegistryGateway
from modelhub_desktop.core.zoom_window import Pair, Spliced, Window
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class Loaded:
    """A finished load: what was asked for and what is still missing (offline, not in
    the cache)."""

    scope: str
    what: str
    missing: frozenset[Pair]


class HistoryStore(QObject):
    """Loaded histories of the compared runs, and the loads under way."""

    changed = Signal()  # new histories in: a redraw is due
    loaded = Signal(object)  # Loaded
    failed = Signal(str, object)  # scope, ModelHubError (Cancelled included)
    progressed = Signal(str)  # status text
    zoomed = Signal(object)  # the window now at full resolution
    zoomFailed = Signal(str)  # noqa: N815

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.gateway: RegistryGateway | None = None
        self.cache: MetadataCache | None = None
        self.online = False
        self._data: dict[Pair, compare.HistoryArrays] = {}
        self._pending: dict[str, set[Pair]] = {}
        self._sampled: set[Pair] = set()
        self._full: dict[Pair, list[Window]] = {}

    # -- what is held --------------------------------------------------------------------------
    @property
    def data(self) -> Mapping[Pair, compare.HistoryArrays]:
        return self._data

    @property
    def sampled(self) -> Set[Pair]:
        """Histories that arrived sampled (longer than one request returns)."""
        return self._sampled

    @property
    def histories(self) -> Mapping[Pair, list[MetricPoint]]:
        """Loaded histories as MetricPoint lists (built on access; for export and tests)."""
        return PointsView(self._data)

    def arrays(self, pair: Pair) -> compare.HistoryArrays | None:
        """A loaded, non-empty history."""
        h = self._data.get(pair)
        return h if h is not None and len(h) else None

    def pending(self) -> set[Pair]:
        """Pairs some load under way will bring."""
        return set().union(*self._pending.values()) if self._pending else set()

    @property
    def has_source(self) -> bool:
        """Whether a history not held could still come (from the server, or a cache the
        view has not been given yet)."""
        return self.online or self.cache is None

    # -- where histories come from -------------------------------------------------------------
    def set_source(self, gateway: RegistryGateway | None, cache: MetadataCache | None,
                   online: bool) -> bool:
        """Use `cache` (and `gateway` when `online`); whether what was held was dropped."""
        dropped = bool(self._data) and (cache is not self.cache or gateway is not self.gateway)
        if cache is not self.cache or gateway is not self.gateway:
            self._data.clear()
            self._sampled.clear()
            self._full.clear()
            self._pending.clear()
            for scope in ("metric", "multiples"):
                self.runner.cancel(TaskKey.HISTORIES, self._scope(scope))
            self.runner.cancel(TaskKey.HISTORY_ZOOM, self._scope("zoom"))
        self.gateway, self.cache, self.online = gateway, cache, bool(online)
        return dropped

    def forget_runs(self, run_ids: Collection[str]) -> None:
        """Drop the histories of `run_ids` (still running: they grow)."""
        for pair in [p for p in self._data if p[0] in run_ids]:
            self._data.pop(pair, None)
            self._sampled.discard(pair)
            self._full.pop(pair, None)

    def _scope(self, name: str) -> str:
        # several compare views may share one runner: their loads must not supersede
        return f"{id(self):x}/{name}"

    # -- loading -------------------------------------------------------------------------------
    def request(self, scope: str, runs: Sequence[str], keys: Sequence[str],
                refresh: Collection[str] = (), first: Sequence[str] = ()) -> bool:
        """Load what is not held yet of `keys` x `runs` (cache, then server); whether a
        load started. A newer request of the same `scope` supersedes this one."""
        if self.cache is None or (self.gateway is None and self.online):
            return False
        pairs = {(r, k) for r in runs for k in keys if k} - self._data.keys()
        if not pairs:
            return False
        run_ids = sorted({r for r, _ in pairs})
        metric_keys = sorted({k for _, k in pairs})
        ordered_keys = [k for k in keys if k in metric_keys]
        gateway, cache, online = self.gateway, self.cache, self.online
        refresh = set(refresh)
        self._pending[scope] = pairs
        what = (f"{', '.join(metric_keys)} of {len(run_ids)} "
                f"run{'s' if len(run_ids) != 1 else ''}")

        def task(ctx: TaskContext) -> set[Pair]:
            # everything reaches the store as partial results (arrays, built here); offline
            # (no gateway) only the cache is read
            got = load_histories(gateway, cache, run_ids, ordered_keys,  # type: ignore[arg-type]
                                 ArraysContext(ctx), online, refresh=refresh, first=first)
            return set(got)

        self.runner.submit(
            task, key=TaskKey.HISTORIES, scope=self._scope(scope), owner=self,
            description=f"load histories: {what}",
            on_partial=self._partial,
            on_progress=lambda d, t, m: self.progressed.emit(f"Loading {m} ({d}/{t})"),
            on_result=partial(self._loaded, scope, what, frozenset(pairs)),
            on_error=partial(self._failed, scope),
        )
        return True

    def _partial(self, arrays: dict[Pair, compare.HistoryArrays]) -> None:
        for pair, h in arrays.items():
            self._data[pair] = h
            if len(h) >= MAX_POINTS_PER_RUN:
                self._sampled.add(pair)
            else:
                self._sampled.discard(pair)
        if arrays:
            self.changed.emit()

    def _loaded(self, scope: str, what: str, asked: frozenset[Pair], got: set[Pair]) -> None:
        self._pending.pop(scope, None)
        self.loaded.emit(Loaded(scope, what, frozenset(asked - got - self._data.keys())))

    def _failed(self, scope: str, error: ModelHubError) -> None:
        self._pending.pop(scope, None)
        self.failed.emit(scope, error)

    # -- zoom ----------------------------------------------------------------------------------
    def fetch_window(self, key: str, runs: Sequence[str], lo: float, hi: float) -> bool:
        """Fetch the steps `lo`..`hi` of `key` at full resolution for the sampled
        histories of `runs` that show them; whether a fetch started."""
        if self.gateway is None or not self.online:
            return False
        spans: dict[str, Window] = {}
        fetched: dict[str, list[Window]] = {}
        for rid in runs:
            h = self.arrays((rid, key))
            if (rid, key) in self._sampled and h is not None:
                spans[rid] = (int(h.steps[0]), int(h.steps[-1]))
                fetched[rid] = self._full.get((rid, key), [])
        request = zoom_window.zoom_request(lo, hi, spans, fetched)
        if request is None:
            return False
        gateway, window = self.gateway, request.window
        old = {(rid, key): self._data[(rid, key)] for rid in request.runs}
        self.progressed.emit(f"Loading steps {window[0]}–{window[1]} of {key} "
                             "at full resolution…")

        def task(ctx: TaskContext) -> dict[Pair, Spliced]:
            detail = fetch_histories(gateway, list(request.runs), [key], ctx, steps=window)
            return zoom_window.splice_window(old, detail, window)

        self.runner.submit(
            task, key=TaskKey.HISTORY_ZOOM, scope=self._scope("zoom"), owner=self,
            description="full-resolution history window",
            on_result=lambda spliced: self._zoomed(spliced, window),
            on_error=lambda e: (None if isinstance(e, Cancelled) else
                                self.zoomFailed.emit(f"Full resolution not loaded: {e}")),
        )
        return True

    def _zoomed(self, spliced: dict[Pair, Spliced], window: Window) -> None:
        for pair, s in spliced.items():
            if self._data.get(pair) is not s.before:
                continue  # reloaded meanwhile
            self._data[pair] = s.after
            if s.complete:
                self._full[pair] = zoom_window.merge_windows(self._full.get(pair, []), window)
        self.zoomed.emit(window)
