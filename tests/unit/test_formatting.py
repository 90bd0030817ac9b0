"""Number formats (one per column, infinities as MLflow stores them), plurals, URIs."""

from __future__ import annotations

import math
import sys

from modelhub_desktop.core.formatting import (
    NumberFormat,
    display_uri,
    elide_middle,
    fmt_metric,
    metric_value,
    number_format,
    plural,
)

BIG = sys.float_info.max


def test_infinities_as_mlflow_stores_them() -> None:
    assert metric_value(BIG) == math.inf and metric_value(-BIG) == -math.inf
    assert metric_value(1e308) == 1e308
    assert fmt_metric(BIG) == "\u221e" and fmt_metric(-BIG) == "\u2212\u221e"
    assert fmt_metric(math.inf) == "\u221e" and fmt_metric(math.nan) == "NaN"
    assert fmt_metric(None) == ""


def test_a_lone_value_uses_the_digits_it_needs() -> None:
    assert fmt_metric(0.5) == "0.5"
    assert fmt_metric(0.912345678) == "0.912346"
    assert fmt_metric(1e7) == "1e+07"
    assert fmt_metric(0.0) == "0"


def test_one_format_for_a_column() -> None:
    fmt = number_format([0.5, 0.912345678, 12.0, BIG, math.nan])
    assert fmt == NumberFormat(6, scientific=False)
    assert [fmt(v) for v in (0.5, 12.0, 1234.5)] == ["0.500000", "12.0000", "1234.50"]
    short = number_format([0.5, 0.25, 3.0])
    assert [short(v) for v in (0.5, 0.25, 3.0)] == ["0.50", "0.25", "3.0"]
    sci = number_format([2e-6, 0.5])
    assert sci.scientific and [sci(v) for v in (2e-6, 0.5)] == ["2e-06", "5e-01"]
    assert number_format([3e9]).scientific


def test_plural() -> None:
    assert plural(1, "version") == "1 version"
    assert plural(0, "version") == "0 versions"
    assert plural(20000, "version") == "20,000 versions"
    assert plural(2, "alias", "aliases") == "2 aliases"


def test_display_uri() -> None:
    assert display_uri("sqlite:////home/a b/mlflow.db") == "/home/a b/mlflow.db"
    assert display_uri("sqlite:///mlflow.db") == "mlflow.db"
    assert display_uri("file:///tmp/mlruns") == "/tmp/mlruns"
    assert display_uri("http://127.0.0.1:5000") == "http://127.0.0.1:5000"


def test_elide_middle() -> None:
    assert elide_middle("abc", 10) == "abc"
    cut = elide_middle("x" * 50 + "END", 21)
    assert len(cut) == 21 and "\u2026" in cut and cut.endswith("END")
