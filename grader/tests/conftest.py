"""Shared fixtures of the grader's self-tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COURSE_FILES = ("catalog.toml", "conftest.py", "pyproject.toml")


def run_grader(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python -m grader ARGS` in a fresh process, as a learner would run it."""
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )


def read_results(path: Path) -> dict[str, dict]:
    """`{"ex02_autograd::name": check result}` from a results JSON file."""
    data = json.loads(path.read_text())
    return {f"{c['exercise']}::{c['name']}": c for c in data["checks"]}


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A copy of the course (catalog, suites, solutions, stubs) to modify freely."""
    for name in COURSE_FILES:
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("tests", "solutions", "exercises", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path
