"""Long and unicode model names never widen a widget: they are elided, in full in tooltips.

Also the model header (description and tags) and the empty-model placeholder.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from modelhub_desktop.core.domain import ModelVersion, RegisteredModel, RunData
from modelhub_desktop.ui.elided_label import ElidedLabel
from modelhub_desktop.ui.status import AppStatusBar
from modelhub_desktop.ui.views.model_list_view import ModelListView
from modelhub_desktop.ui.views.version_detail import VersionDetail
from modelhub_desktop.ui.views.version_table_view import VersionTableView

LONG = "very-long-model-name-" * 10  # 210 characters
NAMES = [LONG[:200], "модель ✓ with spaces " * 8]
BOUND = 600


def bounded(widget) -> bool:  # type: ignore[no-untyped-def]
    return widget.sizeHint().width() < BOUND and widget.minimumSizeHint().width() < BOUND


@pytest.mark.parametrize("name", NAMES)
def test_version_table_title_and_header(qtbot, name: str) -> None:
    view = VersionTableView()
    qtbot.addWidget(view)
    view.set_registered_model(RegisteredModel("m", description="x", tags={"team": "m"}))
    short_hint = view.sizeHint().width()
    view.set_registered_model(RegisteredModel(name, description="x", tags={"team": name}))
    assert view.title.toolTip() == name and name in view.title.text()
    assert name in view.model_header.tags_label.toolTip()
    assert view.sizeHint().width() == short_hint  # the name does not widen the pane
    for w in (view, view.title, view.model_header):
        assert bounded(w), (w, w.sizeHint(), w.minimumSizeHint())
    view.resize(500, 400)
    view.show()
    qtbot.waitExposed(view)
    assert view.width() < BOUND and view.title.is_elided()
    assert view.title.displayed_text().count("\u2026") == 1


@pytest.mark.parametrize("name", NAMES)
def test_detail_heading_and_uri(qtbot, name: str) -> None:
    w = VersionDetail()
    qtbot.addWidget(w)
    w.show_version(ModelVersion("m", 7, run_id="r1"), RunData("r1", run_name="run"))
    short_hint = w.sizeHint().width()
    w.show_version(ModelVersion(name, 7, run_id="r1"), RunData("r1", run_name="run"))
    assert name in w.heading.toolTip() and w.uri_label.toolTip() == f"models:/{name}/7"
    assert w.sizeHint().width() == short_hint
    for widget in (w, w.heading, w.uri_label):
        assert bounded(widget), (widget, widget.sizeHint(), widget.minimumSizeHint())
    w.resize(480, 400)
    w.show()
    qtbot.waitExposed(w)
    assert w.uri_label.is_elided() and w.uri_label.displayed_text().endswith("/7")


@pytest.mark.parametrize("name", NAMES)
def test_status_bar_profile(qtbot, name: str) -> None:
    bar = AppStatusBar()
    qtbot.addWidget(bar)
    bar.set_profile(name, f"sqlite:////tmp/{name}/mlflow.db", "offline")
    label = bar.profile_label
    assert label.text() == f"{name} · /tmp/{name}/mlflow.db · offline"  # a path, not sqlite:
    assert name in label.toolTip() and f"sqlite:////tmp/{name}/mlflow.db" in label.toolTip()
    assert bounded(bar) and bounded(label)


def test_model_list_elides_names_and_aliases(qtbot) -> None:
    view = ModelListView()
    qtbot.addWidget(view)
    aliases = {"champion": 3, "challenger": 2, "production": 1, "staging": 2}
    view.set_models([RegisteredModel(NAMES[0], latest_version=3, aliases=aliases)])
    view.resize(420, 300)
    view.show()
    qtbot.waitExposed(view)
    view.fit_columns()
    assert bounded(view)
    assert view.table.textElideMode() == Qt.TextElideMode.ElideRight
    header = view.table.horizontalHeader()
    # name, latest and aliases fit in the pane: the aliases are cut by their column's
    # ellipsis, not by the pane's edge
    right = header.sectionViewportPosition(2) + header.sectionSize(2)
    assert right <= view.table.viewport().width()
    text = view.model.data(view.model.index(0, 2))
    metrics = view.table.fontMetrics()
    assert metrics.horizontalAdvance(text) > header.sectionSize(2)  # it is cut...
    assert view.model.data(view.model.index(0, 2), Qt.ItemDataRole.ToolTipRole) == text
    assert NAMES[0] in view.model.data(view.model.index(0, 0), Qt.ItemDataRole.ToolTipRole)


def test_elided_label_keeps_full_text(qtbot) -> None:
    label = ElidedLabel("a" * 300, max_hint=200)
    qtbot.addWidget(label)
    assert label.sizeHint().width() <= 200 and label.minimumSizeHint().width() < 60
    label.resize(100, 20)
    assert label.is_elided() and label.toolTip() == "a" * 300


def test_model_header_shows_markdown_description_and_tags(qtbot) -> None:
    view = VersionTableView()
    qtbot.addWidget(view)
    header = view.model_header
    assert header.objectName() == "modelHeader"
    long_text = "Predicts **iris species**.\n\n" + "\n\n".join(f"Line {i}" for i in range(30))
    model = RegisteredModel("iris", description=long_text,
                            tags={"team": "botany", "mlflow.x": "hidden"})
    view.set_registered_model(model)
    view.resize(700, 600)
    view.show()
    qtbot.waitExposed(view)
    assert header.isVisible()
    assert "Predicts iris species." in header.description.toPlainText()  # Markdown rendered
    assert "team=botany" in header.tags_label.text() and "mlflow.x" not in header.tags_label.text()
    collapsed = header.description.height()
    assert header.toggle.isVisible() and header.toggle.text() == "More"
    qtbot.mouseClick(header.toggle, Qt.MouseButton.LeftButton)
    assert header.is_expanded() and header.description.height() > collapsed
    view.set_registered_model(RegisteredModel("bare"))
    assert not header.isVisible()  # nothing to say: no header


def test_empty_model_says_no_versions_yet(qtbot) -> None:
    view = VersionTableView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    view.clear_rows()
    assert view.placeholder.isVisible() and view.placeholder.text() == "Loading versions…"
    view.set_versions([], {}, reset=True)
    assert view.placeholder.isVisible() and view.placeholder.text() == "No versions yet"
    assert view.count_label.text() == ""
    view.set_versions([ModelVersion("m", 1)], {}, reset=True)
    assert not view.placeholder.isVisible() and view.count_label.text() == "1 version"
    view.quick_filter.setText("no such thing")
    assert view.placeholder.isVisible() and "match" in view.placeholder.text()
    view.quick_filter.setText("")
    view.set_versions([ModelVersion("m", 1), ModelVersion("m", 2)], {})
    assert not view.placeholder.isVisible() and view.count_label.text() == "2 versions"
