"""Deploy settings kept per connection profile: target URI and JSON config, the Python
environment, and the team's dashboard link template."""

from __future__ import annotations

import json
from urllib.parse import quote

from PySide6.QtCore import QSettings

#: placeholders a dashboard link template may use
LINK_FIELDS = ("model", "version", "deployment")


def check_config(text: str) -> str:
    """"" when `text` is a JSON object (or empty), else the reason in words."""
    if not text.strip():
        return ""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"Config is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
    if not isinstance(value, dict):
        return "Config must be a JSON object ({…}), not a " + type(value).__name__ + "."
    return ""


def check_link_template(template: str) -> str:
    """"" when the template only uses {model}, {version} and {deployment}."""
    if not template.strip():
        return ""
    if not template.startswith(("http://", "https://")):
        return "The link must start with http:// or https://."
    known = ", ".join("{" + f + "}" for f in LINK_FIELDS)
    try:
        template.format(**{f: "x" for f in LINK_FIELDS})
    except KeyError as exc:
        return f"Unknown placeholder {{{exc.args[0]}}} in the link; use {known}."
    except IndexError:
        return f"Numbered placeholders like {{0}} are not filled in; use {known}."
    except ValueError:
        return f"A brace in the link is not closed; use {known} (and {{{{ }}}} for a brace)."
    return ""


def dashboard_link(template: str, model: str, version: int, deployment: str) -> str:
    """The template filled in (values URL-quoted); "" when there is no usable template."""
    if not template.strip() or check_link_template(template):
        return ""
    return template.format(model=quote(model, safe=""), version=version,
                           deployment=quote(deployment, safe=""))


class DeploySettings:
    """One profile's deploy settings in the app's QSettings."""

    def __init__(self, settings: QSettings, profile_name: str) -> None:
        self._settings = settings
        self._prefix = f"profiles/{profile_name}/deploy"

    def _get(self, key: str, default: str = "") -> str:
        value = self._settings.value(f"{self._prefix}/{key}", default)
        return str(value) if value is not None else default

    def _set(self, key: str, value: str) -> None:
        self._settings.setValue(f"{self._prefix}/{key}", value)

    @property
    def target_uri(self) -> str:
        return self._get("targetUri")

    @target_uri.setter
    def target_uri(self, value: str) -> None:
        self._set("targetUri", value)

    @property
    def target_config(self) -> str:
        return self._get("targetConfig")

    @target_config.setter
    def target_config(self, value: str) -> None:
        self._set("targetConfig", value)

    @property
    def python(self) -> str:
        return self._get("python")

    @python.setter
    def python(self, value: str) -> None:
        self._set("python", value)

    @property
    def env_manager(self) -> str:
        return self._get("envManager", "local")

    @env_manager.setter
    def env_manager(self, value: str) -> None:
        self._set("envManager", value)

    @property
    def link_template(self) -> str:
        return self._get("linkTemplate")

    @link_template.setter
    def link_template(self, value: str) -> None:
        self._set("linkTemplate", value)
