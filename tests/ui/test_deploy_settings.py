"""Deploy settings kept per profile: the target config check and the dashboard link."""

from __future__ import annotations

from modelhub_desktop.ui.deploy_settings import check_config, check_link_template, dashboard_link


def test_target_config_must_be_a_json_object() -> None:
    assert check_config("") == "" and check_config('{"a": 1}') == ""
    assert check_config('{"a": }').startswith("Config is not valid JSON: Expecting value at line 1")
    assert check_config("[1]") == "Config must be a JSON object ({…}), not a list."


def test_dashboard_link_is_filled_and_quoted() -> None:
    template = "https://grafana/d/x?var-model={model}&var-version={version}&d={deployment}"
    assert check_link_template(template) == ""
    assert dashboard_link(template, "fraud model/eu", 3, "eu-prod") == (
        "https://grafana/d/x?var-model=fraud%20model%2Feu&var-version=3&d=eu-prod")
    assert check_link_template("https://g/{nope}").startswith("Unknown placeholder {nope}")
    assert check_link_template("https://g/{model").startswith("A brace in the link is not closed")
    assert check_link_template("https://g/{0}").startswith("Numbered placeholders")
    assert check_link_template("grafana/d") == "The link must start with http:// or https://."
    assert dashboard_link("https://g/{nope}", "m", 1, "d") == ""
