"""The detail pane tells a schema that could not be read ("unknown", with the reason in full)
from a model logged without one."""

from __future__ import annotations

from modelhub_desktop.core.domain import ModelVersion
from modelhub_desktop.core.lineage import VersionLineage
from modelhub_desktop.ui.views.version_detail import render_version_html

VERSION = ModelVersion("m", 3, source="s3://team-models/exp/1/artifacts/model")
REASON = ("Schema unknown: Reading gs:// artifacts needs the Python package "
          "'google-cloud-storage', which is not installed with this app.")


def _schema_section(html: str) -> str:
    return html[html.index("<h3>Input schema</h3>"):]


def test_unreadable_schema_shows_unknown_and_the_whole_reason() -> None:
    lineage = VersionLineage(problems=(REASON,), schema_known=False, schema_problem=REASON)
    section = _schema_section(render_version_html(VERSION, None, lineage=lineage))
    assert section.count(">unknown<") == 2
    assert "None." not in section
    assert "&#x27;google-cloud-storage&#x27;, which is not installed with this app." in section


def test_model_without_signature_shows_no_columns() -> None:
    lineage = VersionLineage(problems=("This model was logged without a signature.",))
    section = _schema_section(render_version_html(VERSION, None, lineage=lineage))
    assert ">unknown<" not in section and "None." in section
