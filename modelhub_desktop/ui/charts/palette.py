"""Okabe-Ito colour-blind-safe palette, ordered for light and for dark backgrounds.

Okabe & Ito's eight colours stay distinguishable with the common colour-vision
deficiencies. On white the yellow is too faint, on a dark background black vanishes and
the dark blue is weak, so each theme uses its own order of seven. After seven series the
colours repeat with a different dash pattern, so 20 versions stay distinguishable.
"""

from __future__ import annotations

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
_C = OKABE_ITO
LIGHT = [_C["blue"], _C["orange"], _C["bluish_green"], _C["vermillion"], _C["reddish_purple"],
         _C["sky_blue"], _C["black"]]
DARK = [_C["sky_blue"], _C["orange"], _C["bluish_green"], _C["yellow"], _C["reddish_purple"],
        _C["vermillion"], "#FFFFFF"]
#: Pen dash patterns (dash, gap, ...) for the 2nd, 3rd, ... round of colours.
DASHES: list[list[float] | None] = [None, [6, 3], [1.5, 2.5], [6, 2, 1.5, 2]]

#: Better / worse than the baseline (blue / vermillion: safe for red-green deficiencies).
BETTER = {"light": _C["blue"], "dark": _C["sky_blue"]}
WORSE = {"light": _C["vermillion"], "dark": _C["orange"]}
#: Alias holders on the across-versions chart.
ALIAS_MARK = {"light": _C["vermillion"], "dark": _C["yellow"]}


def colors(dark: bool = False) -> list[str]:
    return DARK if dark else LIGHT


def series_style(index: int, dark: bool = False) -> tuple[str, list[float] | None]:
    """(colour, dash pattern or None) of the index-th series."""
    cs = colors(dark)
    return cs[index % len(cs)], DASHES[(index // len(cs)) % len(DASHES)]


def is_dark(background: str) -> bool:
    """Whether a "#rrggbb" background is dark (relative luminance below 0.4)."""
    h = background.lstrip("#")
    if len(h) < 6:
        return False
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.4
