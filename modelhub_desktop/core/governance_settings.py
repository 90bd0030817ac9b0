"""Per-profile governance settings: the alias names "Promote to" offers and how often the
watch looks for moves by others. Checked here with MLflow's own alias rules, so a name
the server would refuse never reaches a button."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_PROMOTE_ALIASES = ("champion", "challenger")
DEFAULT_INTERVAL_S = 120
MIN_INTERVAL_S = 15
MAX_INTERVAL_S = 3600
#: The watch interval meaning "do not watch".
OFF = 0
MAX_ALIAS_CHARS = 255  # mlflow's MAX_REGISTERED_MODEL_ALIAS_LENGTH
MAX_PROMOTE_ALIASES = 8

_ALIAS_RE = re.compile(r"^[\w\-]+$")  # mlflow's _REGISTERED_MODEL_ALIAS_REGEX, non-empty
_VERSION_RE = re.compile(r"^[vV]\d+$")  # reserved: it would read as a version


def alias_problem(name: str) -> str:
    """Why MLflow would refuse `name` as an alias ("" when it is fine)."""
    if not name:
        return "An alias name cannot be empty."
    if len(name) > MAX_ALIAS_CHARS:
        return f"An alias name has at most {MAX_ALIAS_CHARS} characters ({len(name)} given)."
    if not _ALIAS_RE.match(name):
        return (f"\"{name[:40]}\": alias names may only contain letters, digits, "
                "underscores (_) and dashes (-).")
    if name.lower() == "latest":
        return "\"latest\" is reserved by MLflow (it means the newest version)."
    if _VERSION_RE.match(name):
        return f"\"{name}\" is reserved by MLflow: it reads as a version number."
    return ""


def parse_aliases(text: str) -> tuple[list[str], str]:
    """The alias names in `text` (separated by commas or spaces), in order, without
    duplicates, and the first problem found ("" when none)."""
    names: list[str] = []
    for part in re.split(r"[,\s]+", text.strip()):
        if part and part not in names:
            names.append(part)
    if not names:
        return [], "Give at least one alias name."
    if len(names) > MAX_PROMOTE_ALIASES:
        return names, f"At most {MAX_PROMOTE_ALIASES} alias names."
    return names, next((p for p in map(alias_problem, names) if p), "")


def interval_problem(seconds: int) -> str:
    """Why `seconds` is not a watch interval ("" when fine; `OFF` is fine)."""
    if seconds == OFF or MIN_INTERVAL_S <= seconds <= MAX_INTERVAL_S:
        return ""
    return (f"The watch interval is between {MIN_INTERVAL_S} s and {MAX_INTERVAL_S // 60} "
            "minutes, or off.")


def read_interval(raw: object) -> int:
    """A stored interval as seconds (`OFF` for off); unreadable or out-of-range values
    give the default, so a hand-edited settings file cannot make the watch hammer."""
    try:
        seconds = int(str(raw))
    except ValueError:
        return DEFAULT_INTERVAL_S
    return seconds if not interval_problem(seconds) else DEFAULT_INTERVAL_S


def read_aliases(raw: object) -> list[str]:
    """Stored alias names (a list, or one string); invalid ones give the defaults."""
    if isinstance(raw, str):
        items: Iterable[object] = [raw] if raw else []
    elif isinstance(raw, (list, tuple)):
        items = raw
    else:
        items = []
    names, problem = parse_aliases(",".join(str(i) for i in items))
    return names if names and not problem else list(DEFAULT_PROMOTE_ALIASES)


@dataclass(frozen=True)
class GovernanceSettings:
    """One profile's settings."""

    promote_aliases: tuple[str, ...] = DEFAULT_PROMOTE_ALIASES
    watch_interval_s: int = DEFAULT_INTERVAL_S

    @property
    def watching(self) -> bool:
        return self.watch_interval_s != OFF
