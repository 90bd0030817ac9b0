"""Serving through a Python environment the user chose: `python -m mlflow models serve`.

For models whose flavor the app does not carry (see core/deploy/choice.py). The app
fetches the version's files first (with the profile's credentials) and points
`mlflow models serve` at that folder, so the chosen Python needs no access to the
registry. `--env-manager local` serves with that Python's own packages; `uv` and
`virtualenv` build an environment from the model's requirements first (minutes).
MLflow runs uvicorn through a shell, so the Python's `bin/` goes first on PATH.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from modelhub_desktop.core.deploy.local import ProcessBackend
from modelhub_desktop.core.errors import InvalidInput

ENV_MANAGERS = ("local", "uv", "virtualenv")
#: `local` starts like the app's own server; building an environment takes much longer
TIMEOUTS_S = {"local": 180.0, "uv": 900.0, "virtualenv": 1200.0}


def check_python(python: str, timeout: float = 60.0) -> None:
    """InvalidInput unless `python` runs and has mlflow and uvicorn."""
    if not python:
        raise InvalidInput("Choose the Python interpreter to serve the model with.")
    path = Path(python).expanduser()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise InvalidInput(f"{python} is not an executable Python interpreter.")
    try:
        done = subprocess.run([str(path), "-c", "import mlflow, uvicorn"], capture_output=True,
                              timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InvalidInput(f"{python} could not be run: {exc}.") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        fix = f"`{python} -m pip install mlflow uvicorn`"
        if not _has_pip(path, timeout):
            fix = f"`{python} -m ensurepip`, then {fix}"
        raise InvalidInput(f"{python} cannot serve models ({why[0]}): install them with "
                           f"{fix}.")


def _has_pip(python: Path, timeout: float) -> bool:
    """Whether `python -m pip` works (a venv made with --without-pip has none)."""
    try:
        done = subprocess.run([str(python), "-c", "import pip"], capture_output=True,
                              timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


class PythonEnvBackend(ProcessBackend):
    """`mlflow models serve` in a user-chosen Python, supervised like the app's own server.

    Settings: `python` (interpreter path), `env_manager` (local, uv or virtualenv),
    `model_dir` (the fetched model folder, set by the deploy service), host and port.
    """

    kind = "python-env"

    def timeout(self, settings: Mapping[str, str]) -> float:
        if settings.get("timeout"):
            return super().timeout(settings)
        return TIMEOUTS_S.get(settings.get("env_manager", "local"), TIMEOUTS_S["local"])

    def command(self, model_uri: str, host: str, port: int,
                settings: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
        python = settings.get("python", "")
        manager = settings.get("env_manager", "local") or "local"
        if manager not in ENV_MANAGERS:
            raise InvalidInput(f"Environment manager {manager!r} is not one of "
                               f"{', '.join(ENV_MANAGERS)}.")
        model_dir = settings.get("model_dir", "")
        if not model_dir:
            raise InvalidInput(f"The files of {model_uri} have not been fetched.")
        check_python(python)
        python = str(Path(python).expanduser())  # no shell expands "~" in an argv
        env = dict(os.environ)
        env["PATH"] = str(Path(python).parent) + os.pathsep + env.get("PATH", "")
        env.update(MLFLOW_DISABLE_TELEMETRY="true", PYTHONUNBUFFERED="1")
        cmd = [python, "-m", "mlflow", "models", "serve", "-m", model_dir,
               "--env-manager", manager, "-h", host, "-p", str(port)]
        return cmd, env
