"""The deployment monitor: health over time and, for local deployments, request count,
latency percentiles and error rate, as small pyqtgraph charts.

It polls the deploy service on a worker while it is visible (a QTimer that starts on
show and stops on hide, close or when no deployment is chosen), keeping the last few
hundred samples in memory. The charts (pyqtgraph, numpy) are built when the monitor is
first shown: the deployments tab is made at start-up, and that import would delay the
window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from modelhub_desktop.core.deploy.base import DeploymentRecord, Health, RequestStats
from modelhub_desktop.core.errors import Cancelled, ModelHubError
from modelhub_desktop.core.progress import TaskContext
from modelhub_desktop.ui.charts.palette import DARK, LIGHT
from modelhub_desktop.ui.task_keys import TaskKey
from modelhub_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    import pyqtgraph as pg

POLL_MS = 3000
KEEP = 600  # samples per deployment (30 minutes at the default rate)
MIN_SPAN_S = 120  # the time axis shows at least the last two minutes

#: (health, request stats or None) of one deployment, read on a worker
Probe = Callable[[DeploymentRecord], tuple[Health, RequestStats | None]]


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since epoch
    health: Health
    stats: RequestStats | None


def error_rate(stats: RequestStats | None) -> float | None:
    """Errors per request in percent (None before any request)."""
    if stats is None or stats.requests <= 0:
        return None
    return 100.0 * stats.errors / stats.requests


class DeployMonitor(QWidget):
    """Charts of one deployment; `set_deployment(None)` stops polling."""

    def __init__(self, runner: TaskRunner, probe: Probe, parent: QWidget | None = None,
                 poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.setObjectName("deployMonitor")
        self.runner, self.probe = runner, probe
        self.record: DeploymentRecord | None = None
        self.samples: list[Sample] = []
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("No deployment chosen.")
        self.summary.setObjectName("deployMonitorSummary")
        layout.addWidget(self.summary)
        self._grid = QGridLayout()
        layout.addLayout(self._grid, 1)
        self.plots: dict[str, pg.PlotWidget] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}

    def _build_plots(self) -> None:
        """The four charts, on first show."""
        import pyqtgraph as pg

        from modelhub_desktop.ui.charts.plots import current_theme, make_plot, set_title

        theme = current_theme()
        colours = DARK if theme.dark else LIGHT
        specs = [("health", "Health (answering /ping)", ["health"]),
                 ("requests", "Requests", ["requests"]),
                 ("latency", "Latency (ms)", ["p50", "p95"]),
                 ("errors", "Error rate (%)", ["errors"])]
        for i, (key, title, series) in enumerate(specs):
            plot = make_plot(theme)
            plot.setMinimumHeight(110)
            item = plot.getPlotItem()
            set_title(item, title, theme)
            item.setAxisItems({"bottom": pg.DateAxisItem(orientation="bottom")})
            if item.legend is not None:
                item.legend.setOffset((10, 10))  # top left: new samples come in on the right
                item.legend.setVisible(len(series) > 1)
            item.setMouseEnabled(x=False, y=False)
            for j, name in enumerate(series):
                self.curves[name] = item.plot([], [], name=name, symbol="o", symbolSize=4,
                                              pen=pg.mkPen(colours[j], width=2),
                                              symbolBrush=colours[j], symbolPen=None)
            self.plots[key] = plot
            self._grid.addWidget(plot, i // 2, i % 2)
        health = self.plots["health"].getPlotItem()
        health.setYRange(-0.1, 1.1, padding=0)
        health.getAxis("left").setTicks([[(0, "down"), (1, "up")]])

    # -- what to watch ------------------------------------------------------------------
    def set_deployment(self, record: DeploymentRecord | None) -> None:
        """Watch `record` (a new one starts a fresh history)."""
        if record is None or self.record is None or record.name != self.record.name:
            self.samples = []
        self.record = record
        self._redraw()
        self._sync_timer()
        if record is not None and self.isVisible():
            self.poll()

    def _sync_timer(self) -> None:
        if self.record is not None and self.isVisible():
            if not self.timer.isActive():
                self.timer.start()
        else:
            self.stop()

    def stop(self) -> None:
        """Stop polling (and drop a probe on its way)."""
        self.timer.stop()
        self.runner.cancel(TaskKey.DEPLOY_POLL, id(self))

    # -- polling ------------------------------------------------------------------------
    def poll(self) -> None:
        record, probe = self.record, self.probe
        if record is None or self.runner.is_running(TaskKey.DEPLOY_POLL, id(self)):
            return

        def work(_ctx: TaskContext) -> tuple[Health, RequestStats | None]:
            return probe(record)

        self.runner.submit(work, key=TaskKey.DEPLOY_POLL, scope=id(self), owner=self,
                           description=f"probe {record.name}",
                           on_result=partial(self._add, record.name),
                           on_error=self._on_error)

    def _add(self, name: str, got: tuple[Health, RequestStats | None]) -> None:
        if self.record is None or self.record.name != name:
            return
        health, stats = got
        self.samples.append(Sample(health.at / 1000 if health.at else time.time(), health, stats))
        del self.samples[:-KEEP]
        self._redraw()

    def _on_error(self, error: ModelHubError) -> None:
        if not isinstance(error, Cancelled):
            self.summary.setText(f"Could not probe the deployment: {error}")

    # -- drawing ------------------------------------------------------------------------
    def _redraw(self) -> None:
        self.summary.setText(self._summary_text())
        if not self.plots:
            return  # not shown yet: drawn on first show
        xs = [s.at for s in self.samples]

        def series(get: Callable[[Sample], float | None]) -> tuple[list[float], list[float]]:
            pts = [(x, v) for x, s in zip(xs, self.samples, strict=True)
                   if (v := get(s)) is not None]
            return [p[0] for p in pts], [p[1] for p in pts]

        def put(name: str, data: tuple[list[float], list[float]]) -> None:
            self.curves[name].setData(*data)

        put("health", series(lambda s: 1.0 if s.health.ok else 0.0))
        put("requests", series(lambda s: float(s.stats.requests) if s.stats else None))
        put("p50", series(lambda s: s.stats.p50_ms if s.stats else None))
        put("p95", series(lambda s: s.stats.p95_ms if s.stats else None))
        put("errors", series(lambda s: error_rate(s.stats)))
        if xs:
            for plot in self.plots.values():
                plot.setXRange(min(xs[0], xs[-1] - MIN_SPAN_S), xs[-1] + 5, padding=0)
        rates = [r for s in self.samples if (r := error_rate(s.stats)) is not None]
        self.plots["errors"].setYRange(0, max([5.0, *rates]) * 1.1, padding=0)
        has_stats = any(s.stats is not None for s in self.samples)
        for key in ("requests", "latency", "errors"):
            self.plots[key].setVisible(has_stats or not self.samples)

    def _summary_text(self) -> str:
        if self.record is None:
            return "No deployment chosen."
        if not self.samples:
            return f"{self.record.name}: waiting for the first probe…"
        last = self.samples[-1]
        ok = sum(1 for s in self.samples if s.health.ok)
        parts = [f"{self.record.name}: {'answering' if last.health.ok else 'NOT answering'}",
                 f"healthy in {ok} of {len(self.samples)} probes"]
        if last.health.latency_ms is not None:
            parts.append(f"ping {last.health.latency_ms:.0f} ms")
        if last.stats is not None:
            parts.append(f"{last.stats.requests} requests, {last.stats.errors} errors")
        elif not last.health.ok and last.health.detail:
            parts.append(last.health.detail)
        return " · ".join(parts)

    # -- visibility drives the timer ----------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self.plots:
            self._build_plots()
            self._redraw()
        self._sync_timer()
        if self.record is not None and not self.samples:
            self.poll()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self.stop()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.stop()
        super().closeEvent(event)
