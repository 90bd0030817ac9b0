"""Okabe-Ito colour-blind-safe palette, readable on light and dark backgrounds."""

from __future__ import annotations

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"]
# line styles cycle after the colours run out, so 20 versions stay distinguishable
DASHES = [None, [4, 3], [1, 3], [6, 2, 1, 2]]


def series_style(index: int) -> tuple[str, list[int] | None]:
    colors = OKABE_ITO[:-1]  # black vanishes on dark themes
    return colors[index % len(colors)], DASHES[(index // len(colors)) % len(DASHES)]
