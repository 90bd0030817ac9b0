"""Version and ids read from the package, for the build scripts (prints shell-quoted
KEY=VALUE lines)."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def info() -> dict[str, str]:
    text = (ROOT / "modelhub_desktop" / "__init__.py").read_text(encoding="utf-8")
    values = dict(re.findall(r'^(\w+) = "([^"]*)"', text, flags=re.M))
    return {"VERSION": values["__version__"], "APP_ID": values["APP_ID"],
            "APP_NAME": values["APP_NAME"]}


if __name__ == "__main__":
    for key, value in info().items():
        sys.stdout.write(f"{key}={shlex.quote(value)}\n")
