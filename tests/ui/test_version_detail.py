"""The detail pane: empty state, missing runs, key filter, MLflow tags toggle, copy URI."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from modelhub_desktop.core.domain import ModelVersion, RunData
from modelhub_desktop.ui.views.version_detail import VersionDetail


def text(w: VersionDetail) -> str:
    return w.browser.toPlainText()


def test_detail_states_and_controls(qtbot) -> None:
    w = VersionDetail()
    qtbot.addWidget(w)
    assert w.objectName() == "versionDetail" and "Select a version" in text(w)
    v = ModelVersion("m – ü", 3, run_id="r1", description="**Bold** note",
                     tags={"team": "a", "mlflow.internal": "x"}, aliases=("champion",))
    run = RunData("r1", run_name="good-run", params={"alpha": "0.1", "beta": "2"},
                  metrics={"val_loss": 0.25, "acc": float("nan")})
    w.show_version(v, run)
    assert "good-run" in text(w) and "Bold note" in text(w) and "NaN" in text(w)
    assert "mlflow.internal" not in text(w)
    w.system_tags.setChecked(True)
    assert "mlflow.internal" in text(w)
    w.key_filter.setText("alp")
    assert "alpha" in text(w) and "beta" not in text(w) and "val_loss" not in text(w)
    w.copy_uri()
    assert QGuiApplication.clipboard().text() == "models:/m – ü/3"
    w.show_version(ModelVersion("m", 4, run_id=""), None)
    assert "Registered from a path" in text(w)
    w.show_version(ModelVersion("m", 5, run_id="gone"), None)
    assert "no longer exists" in text(w)
    assert not w.download_button.isEnabled()


def test_deleted_run_is_marked_and_not_linked(qtbot) -> None:
    w = VersionDetail()
    qtbot.addWidget(w)
    run = RunData("r9", run_name="gone-run", lifecycle_stage="deleted", metrics={"acc": 0.5})
    w.show_version(ModelVersion("m", 2, run_id="r9"), run, run_url="")
    assert not w.deleted_marker.isHidden() and "deleted" in w.deleted_marker.toolTip()
    assert "run deleted" in w.heading.toolTip() and "run deleted" in text(w)
    assert "Open in MLflow UI" not in w.browser.toHtml()
    assert "acc" in text(w)  # its metrics are still shown
    live = RunData("r1", run_name="live")
    w.show_version(ModelVersion("m", 1, run_id="r1"), live, run_url="http://ui/#/runs/r1")
    assert w.deleted_marker.isHidden() and "Open in MLflow UI" in w.browser.toHtml()
    w.show_version(ModelVersion("m", 1, run_id="r1"), live, run_url="")
    assert "Open in MLflow UI" not in w.browser.toHtml()  # no URL: no link


def test_metric_infinities_in_the_detail(qtbot) -> None:
    import sys

    w = VersionDetail()
    qtbot.addWidget(w)
    run = RunData("r1", metrics={"up": sys.float_info.max, "down": -sys.float_info.max})
    w.show_version(ModelVersion("m", 1, run_id="r1"), run)
    assert "\u221e" in text(w) and "\u2212\u221e" in text(w) and "e+308" not in text(w)
