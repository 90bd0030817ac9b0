"""Comparing two deployments' answers, and the metric differences of a version switch."""

from __future__ import annotations

import math

from modelhub_desktop.core.deploy.answers import compare_answers
from modelhub_desktop.core.deploy.metric_diff import metric_differences
from modelhub_desktop.core.domain import RunData


def test_equal_answers_within_tolerance() -> None:
    diff = compare_answers({"predictions": [1, 2.0, math.nan]},
                           {"predictions": [1.0, 2.0 + 1e-12, math.nan]})
    assert diff.equal and diff.compared == 3
    assert diff.summary() == "Equal (3 values compared)."


def test_differing_positions_are_named_in_nested_answers() -> None:
    a = {"predictions": [{"label": "setosa", "p": 0.9}, {"label": "virginica", "p": 0.8}]}
    b = {"predictions": [{"label": "setosa", "p": 0.7}, {"label": "virginica", "p": 0.8}]}
    diff = compare_answers(a, b)
    assert not diff.equal and diff.differing == ("[0].p",)
    assert diff.summary() == "Differ at 1 of 4 positions: [0].p."


def test_answers_of_different_length_say_so() -> None:
    diff = compare_answers([1, 2, 3], {"predictions": [1, 2]})
    assert not diff.equal and diff.differing == ("[2]",)
    assert diff.summary() == ("Differ: 3 values on the left, 2 on the right (first difference "
                              "at [2]).")
    assert compare_answers("a", "b").differing == ("value",)
    assert compare_answers(True, 1).equal is False  # a bool is not the number 1 here


def test_metric_differences_cover_both_runs() -> None:
    old = RunData("a", metrics={"acc": 0.8, "rmse": 0.5})
    new = RunData("b", metrics={"acc": 0.9, "f1": 0.7})
    rows = {d.key: (d.old, d.new, d.delta) for d in metric_differences(old, new)}
    assert rows["f1"] == (None, 0.7, None) and rows["rmse"] == (0.5, None, None)
    assert math.isclose(rows["acc"][2] or 0, 0.1)
    assert metric_differences(None, None) == []
