"""Which versions a comparison shows when the user picked fewer than two.

A model can have hundreds of versions: all of them make a params table hundreds of
columns wide and a legend nobody can read. With none or one selected, the comparison
takes the version selected, the alias holders (the versions people talk about) and the
latest versions, at most `DEFAULT_LIMIT` in all. Plain Python, no Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from modelhub_desktop.core.compare import Compared

#: Versions compared at most when the comparison is chosen for the user.
DEFAULT_LIMIT = 10

CHOSEN_NOTE = ("Showing the alias holders and the latest versions; select versions in the "
               "table and press Ctrl+M to compare others")


@dataclass(frozen=True)
class Choice:
    """The versions to compare, and whether the app chose them."""

    items: tuple[Compared, ...]
    chosen_for_user: bool
    of_total: int  # versions of the model (those the choice was made from)

    @property
    def note(self) -> str:
        """What to tell the user about the choice ("" when they made it)."""
        if not self.chosen_for_user or not self.items:
            return ""
        if len(self.items) < self.of_total:
            return CHOSEN_NOTE
        return (f"Showing all {self.of_total} version{'s' if self.of_total != 1 else ''}; "
                "select two or more in the table and press Ctrl+M to compare only those")


def choose_versions(selected: Sequence[Compared], all_versions: Sequence[Compared],
                    limit: int = DEFAULT_LIMIT) -> Choice:
    """`selected` when two or more; otherwise the selected one, then alias holders
    (newest first), then the latest versions, up to `limit`, in version order."""
    by_version = {c.version.version: c for c in all_versions}
    for c in selected:
        by_version.setdefault(c.version.version, c)
    if len(selected) >= 2:
        return Choice(tuple(selected), False, len(by_version))
    picked: dict[int, Compared] = {c.version.version: c for c in selected}
    newest_first = sorted(by_version.values(), key=lambda c: c.version.version, reverse=True)
    holders = [c for c in newest_first if c.version.aliases]
    for c in [*holders, *newest_first]:
        if len(picked) >= max(limit, len(selected)):
            break
        picked.setdefault(c.version.version, c)
    items = tuple(sorted(picked.values(), key=lambda c: c.version.version))
    return Choice(items, True, len(by_version))
