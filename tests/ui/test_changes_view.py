"""The Changes view on its own: newest first in words, unread in bold, filter, sort, empty."""

from __future__ import annotations

from PySide6.QtCore import Qt

from modelhub_desktop.core.domain import Change
from modelhub_desktop.ui.views.changes_view import COL_DETAIL, COL_KIND, ChangesView

T0 = 1_790_000_000_000
CHANGES = [  # newest first, as MetadataCache.changes() returns them
    Change("alias_moved", "fraud", "champion: v3 -> v5", T0 + 2000, 5),
    Change("tag_edited", "fraud", "v5 tag team = risk added", T0 + 2000, 5),
    Change("model_added", "churn ünïcode", "New model", T0 + 1000),
    Change("stage_moved", "fraud", "v2: Staging -> Production", T0, 2),
    Change("something_new", "fraud", "a kind this build does not know", T0),
]


def shown(view: ChangesView, col: int) -> list[str]:
    return [view.proxy.index(r, col).data() for r in range(view.proxy.rowCount())]


def test_changes_view_lists_newest_first_in_words(qtbot, model_tester) -> None:
    view = ChangesView()
    qtbot.addWidget(view)
    model_tester(view.model)  # before the rows go in: the fill is checked too
    model_tester(view.proxy)
    assert view.objectName() == "changesView"
    assert not view.mark_read.isEnabled()
    with qtbot.waitSignal(view.unreadChanged) as unread:
        view.set_changes(CHANGES, unread=2)
    assert unread.args == [2]
    assert shown(view, COL_DETAIL) == [c.detail for c in CHANGES]  # cache order kept
    assert shown(view, COL_KIND) == [
        "Alias moved",
        "Tag edited",
        "New model",
        "Stage changed",
        "Something new",
    ]
    assert shown(view, 2)[:2] == ["v5", "v5"] and shown(view, 2)[2] == ""
    assert view.summary.text().startswith("5 changes since") and "2 unread" in view.summary.text()
    bold = [bool(view.proxy.index(r, 0).data(Qt.ItemDataRole.FontRole)) for r in range(5)]
    assert bold == [True, True, False, False, False]  # the newest `unread` rows
    assert view.mark_read.isEnabled()
    with qtbot.waitSignal(view.markReadRequested):
        view.mark_read.click()


def test_changes_view_filter_sort_and_empty(qtbot, model_tester) -> None:
    view = ChangesView()
    qtbot.addWidget(view)
    model_tester(view.proxy)  # filters, sorts, a refill under a sort, emptying
    view.set_changes(CHANGES, unread=0)
    view.filter.setText("CHAMPION")
    assert shown(view, COL_DETAIL) == ["champion: v3 -> v5"]
    view.filter.setText("ünïcode")
    assert shown(view, 1) == ["churn ünïcode"]
    view.filter.setText("stage changed")  # the words shown, not the internal kind
    assert shown(view, COL_DETAIL) == ["v2: Staging -> Production"]
    view.filter.clear()
    view.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # the user sorts by model
    view.set_changes([Change("model_deleted", "aaa", "Model deleted", T0 + 5000), *CHANGES], 1)
    assert shown(view, 1)[0] == "aaa"  # their sort survives the next sync
    view.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert shown(view, COL_DETAIL)[0] == "Model deleted"
    with qtbot.waitSignal(view.unreadChanged) as unread:
        view.set_changes([], 0)  # e.g. another profile with no history
    assert unread.args == [0]
    assert view.proxy.rowCount() == 0
    assert view.summary.text() == ChangesView.EMPTY_TEXT
    assert not view.mark_read.isEnabled()
