"""Guards against a Qt-binding defect that crashed the app: PySide6 6.12.0 releases `None`
once too often whenever a Python model's data() returns None, so a view painting a table
aborts the interpreter after a few thousand cells. pyproject.toml excludes that release.
"""

from __future__ import annotations

import sys

from modelhub_desktop.core.domain import RegisteredModel
from modelhub_desktop.ui.models.model_list_model import ModelListModel


def test_model_data_returning_none_keeps_none_alive() -> None:
    model = ModelListModel()
    model.set_records([RegisteredModel("a")])
    index = model.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(2000):
        index.data(12345)  # an unused role: data() returns None
    assert sys.getrefcount(None) >= before - 10
