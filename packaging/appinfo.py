"""Version, app id and name of ModelHub Desktop, read from the package for build scripts.

    python packaging/appinfo.py            VERSION=0.1.0 / APP_ID=... / APP_NAME='...'
                                           (shell-quoted, for `eval "$(...)"`)
    python packaging/appinfo.py VERSION    the bare value (PowerShell, CI steps)

Reads modelhub_desktop/__init__.py as text: no import, so it works before the package and
its dependencies are installed.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = {"VERSION": "__version__", "APP_ID": "APP_ID", "APP_NAME": "APP_NAME"}


def info() -> dict[str, str]:
    text = (ROOT / "modelhub_desktop" / "__init__.py").read_text(encoding="utf-8")
    values = dict(re.findall(r'^(\w+)\s*=\s*["\']([^"\']*)["\']', text, flags=re.M))
    missing = [attr for attr in KEYS.values() if attr not in values]
    if missing:
        raise SystemExit(f"modelhub_desktop/__init__.py defines no {', '.join(missing)}")
    return {key: values[attr] for key, attr in KEYS.items()}


def main(argv: list[str]) -> int:
    values = info()
    if argv:
        unknown = [key for key in argv if key not in values]
        if unknown:
            print(f"unknown key(s) {unknown}; known: {sorted(values)}", file=sys.stderr)
            return 2
        for key in argv:
            print(values[key])
        return 0
    for key, value in values.items():
        print(f"{key}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
