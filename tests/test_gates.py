"""Quality gates that run with the tests: lint, types and import contracts.

Each runs the real tool over the repository with the configuration in pyproject.toml and
fails with the tool's own report, so `./dev test` (and CI) fails on any finding.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tool(name: str) -> str:
    """The tool installed beside this Python (the dev extra), else one on PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: install the dev extra (pip install -e '.[dev]')")
    return found


def run(*args: str, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1", TERM="dumb")
    return subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=timeout)


def test_ruff_finds_nothing() -> None:
    proc = run(tool("ruff"), "check", "--no-cache", "modelhub_desktop", "tests", "bench")
    assert proc.returncode == 0, f"ruff check failed:\n{proc.stdout}{proc.stderr}"


def test_mypy_finds_nothing() -> None:
    proc = run(tool("mypy"))  # files, strictness per package and cache dir: pyproject.toml
    assert proc.returncode == 0, f"mypy failed:\n{proc.stdout}{proc.stderr}"


def test_import_contracts_hold() -> None:
    proc = run(tool("lint-imports"), "--no-cache")
    assert proc.returncode == 0, f"an import contract is broken:\n{proc.stdout}{proc.stderr}"
    assert "0 broken" in proc.stdout  # the contracts were found and checked
