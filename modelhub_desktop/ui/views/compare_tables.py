"""The Final metrics and Params tables of the compare view, as grids of prepared cells.

Pure functions of the compared versions and the chosen baseline: every cell's text, raw
value, tint and tooltip is decided here, so the view only hands the grid to its model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtGui import QBrush, QColor

from modelhub_desktop.core import compare
from modelhub_desktop.core.compare import Compared
from modelhub_desktop.core.formatting import fmt_metric
from modelhub_desktop.ui.charts.palette import BETTER, WORSE
from modelhub_desktop.ui.models.grid_model import Cell

BEST_BRUSH = QBrush(QColor(46, 160, 67, 70))
DIFFERS_BRUSH = QBrush(QColor(230, 159, 0, 45))
ARROWS = {"min": "↓", "max": "↑"}


@dataclass
class Grid:
    rows: list[str]
    cols: list[str]
    cells: list[list[Cell]]
    row_tips: list[str] = field(default_factory=list)
    col_tips: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def column_title(c: Compared) -> str:
    return c.label + ("" if c.run else " (no run)")


def fmt_diff(d: float | None, rel: float | None) -> str:
    if d is None:
        return ""
    text = "0" if d == 0 else f"{d:+.4g}"
    if rel is not None and d != 0:
        text += f" ({rel:+.1%})"
    return text


def final_metrics_grid(items: Sequence[Compared], rows: Sequence[compare.FinalRow],
                       base: int | None, theme_name: str) -> Grid:
    """A row per metric: each version's latest value (best in bold on green), then the
    difference of each other version to the baseline (green better, orange worse)."""
    others = [i for i in range(len(items)) if i != base] if base is not None else []
    cols = [column_title(c) for c in items]
    col_tips = [c.no_run_reason for c in items]
    if base is not None:
        cols += [f"{items[i].label} − {items[base].label}" for i in others]
        col_tips += [f"Difference to the baseline {items[base].label}" for _ in others]
    better, worse = QColor(BETTER[theme_name]), QColor(WORSE[theme_name])
    cells: list[list[Cell]] = []
    for row in rows:
        line = []
        for i, value in enumerate(row.values):
            best = row.is_best(i)
            tip = ("not logged" if value is None and items[i].run else
                   items[i].no_run_reason if value is None else
                   "best" if best else "")
            line.append(Cell(fmt_metric(value) if value is not None else "—", value,
                             BEST_BRUSH if best else None, None, best, tip, True))
        for i in others:
            verdict = row.better(i)
            line.append(Cell(fmt_diff(row.diffs[i], row.rel_diffs[i]), row.diffs[i],
                             None, None if verdict is None else better if verdict else worse,
                             False, "" if verdict is None else
                             "better than the baseline" if verdict else
                             "worse than the baseline", True))
        cells.append(line)
    names = [f"{r.key}  {ARROWS[r.direction]}" for r in rows]
    tips = [("lower" if r.direction == "min" else "higher") + " is better (right-click to "
            "change)" for r in rows]
    notes = [f"{c.label}: {c.no_run_reason}" for c in items if c.run is None]
    if items and not rows:
        notes.insert(0, "None of these versions logged metrics.")
    return Grid(names, cols, cells, tips, col_tips, notes)


def params_grid(items: Sequence[Compared], base: int | None, only_differences: bool) -> Grid:
    """A row per param, a column per version; values that differ from the baseline (or,
    without one, between versions) are tinted."""
    every = compare.param_rows(items)
    rows = [r for r in every if r.differs] if only_differences else every
    hidden = len(every) - len(rows)
    base_ok = base is not None and items[base].run is not None
    cells = []
    for r in rows:
        line = []
        ref = r.values[base] if base_ok and base is not None else None
        for i, (c, value) in enumerate(zip(items, r.values, strict=True)):
            if value is None:
                tip = c.no_run_reason or "not logged by this version"
                line.append(Cell("—", None, None, None, False, tip))
                continue
            differs = (value != ref and i != base) if base_ok else r.differs
            tip = f"differs from the baseline ({ref if ref is not None else 'not set'})" \
                if differs and base_ok else ""
            if len(value) > 40:
                tip = value + ("\n" + tip if tip else "")
            line.append(Cell(value, value, DIFFERS_BRUSH if differs else None, None,
                             False, tip))
        cells.append(line)
    notes = []
    if base_ok and base is not None and len(items) > 1 and rows:
        notes.append(f"Tinted: differs from the baseline {items[base].label} "
                     "(chosen on the Final metrics tab).")
    if items and not every:
        notes.append("None of these versions logged params.")
    elif hidden:
        same = "All params are the same: " if not rows else ""
        notes.append(f"{same}{hidden} identical param{'s' if hidden != 1 else ''} hidden "
                     "(untick Only differences to show them).")
    notes += [f"{c.label}: {c.no_run_reason}" for c in items if c.run is None]
    return Grid([r.key for r in rows], [column_title(c) for c in items], cells, [],
                [c.no_run_reason for c in items], notes)
