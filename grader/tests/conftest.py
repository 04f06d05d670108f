"""Shared fixtures of the grader's self-tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.core.course import Course
from grader.core.plan import plan
from grader.core.suites import load_suite
from grader.run import devices

ROOT = Path(__file__).resolve().parents[2]
COURSE = Course(ROOT)
COURSE_FILES = ("catalog.toml", "conftest.py", "pyproject.toml")


def run_grader(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python -m grader ARGS` in a fresh process, as a learner would run it."""
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "grader", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )


@dataclass(frozen=True)
class Size:
    """What the score table shows of an exercise graded on this machine: the runs made here and
    their points (so that tests follow the suites, not a count written down once)."""

    checks: int
    points: int


def size_here(exercise: str) -> Size:
    runs = [run for run in plan(load_suite(COURSE.suite(exercise)), devices.unusable) if run.not_run is None]
    return Size(len(runs), round(sum(run.check.points for run in runs)))


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


def grade_folder(folder: Path, exercise: str, references=None, devices=("cpu",), course: Course = COURSE, **options):
    """Every run of an exercise's checks (on `devices`) for the module in `folder`, through a `Session`."""
    from grader.core.plan import plan
    from grader.core.references import reference_source
    from grader.core.session import Session, Target
    from grader.core.suites import Registry, load_suite
    from grader.run.executor import ForkExecutor

    checks = load_suite(course.suite(exercise))
    executor = ForkExecutor(Registry(checks), batch=options.pop("batch", True))
    session = Session(Target(str(folder), folder), references or reference_source(course), executor, **options)
    return session.grade(plan(checks, executor.unusable, devices=devices))
