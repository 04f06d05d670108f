"""Grading against goldens: the student release's reference outcomes.

Ships in the student release, where it is the golden-based self-check: the
shipped goldens cover the shipped checks, and grading against them works.
(Recording them is the instructor's: `test_goldens.py`.)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from safetensors.torch import load as load_tensors

from grader.core.references import GOLDEN_FORMAT, GoldenReferences
from grader.core.session import seed_of
from grader.core.suites import load_suite
from grader.tests.conftest import COURSE, ROOT, grade_folder, read_results

NAMES = COURSE.catalog.names
GOLDENS = COURSE.goldens


def visible_checks(exercise: str) -> list:
    return [c for c in load_suite(COURSE.suite(exercise)) if not c.hidden]


def grade_visible(folder: Path, references, exercises: list[str]) -> dict[str, tuple[str, str]]:
    """`{check id: (status, message)}` for the visible checks of `exercises`, on the CPU."""
    return {
        f"{r.exercise}::{r.name}": (r.status, r.message)
        for exercise in exercises
        for r in grade_folder(folder, exercise, references)
        if not r.hidden
    }


@pytest.mark.parametrize("exercise", NAMES)
def test_goldens_hold_exactly_the_visible_checks_with_their_grading_seeds(exercise):
    document = json.loads((GOLDENS / f"{exercise}.json").read_text())
    visible = visible_checks(exercise)
    assert (document["format"], document["exercise"]) == (GOLDEN_FORMAT, exercise)
    assert list(document["checks"]) == [c.name for c in visible]
    assert [entry["seed"] for entry in document["checks"].values()] == [seed_of(c) for c in visible]
    tensors = load_tensors((GOLDENS / f"{exercise}.safetensors").read_bytes())
    described = {
        f"{name}/{key}"
        for name, entry in document["checks"].items()
        for key, value in entry.get("observations", {}).items()
        if value["t"] == "tensor"
    }
    assert set(tensors) == described


def test_every_visible_check_grades_against_its_golden_and_an_empty_folder_earns_nothing(tmp_path):
    """Independent of the learner's own files, so it holds in a release being worked on."""
    results = grade_visible(tmp_path, GoldenReferences(COURSE), NAMES)
    assert len(results) == sum(len(visible_checks(name)) for name in NAMES)
    assert {key: status for key, (status, message) in results.items() if "was not found" not in message} == {}
    assert {status for status, _ in results.values()} == {"error"}


def test_the_plugin_grades_against_goldens_when_asked(tmp_path):
    """`--references goldens`, through pytest as `python -m grader grade` runs it: on the solution
    where this course has one (every visible check passes), else on an empty folder."""
    if COURSE.has_solutions:
        shutil.copy(COURSE.solution("ex02_autograd"), tmp_path)
    results = tmp_path / "results.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(COURSE.suite("ex02_autograd")),
        f"--rootdir={ROOT}",
        f"--target={tmp_path}",
        "--references=goldens",
        f"--results-json={results}",
        "-p",
        "no:cacheprovider",
        "-q",
    ]
    done = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)
    checks = read_results(results).values()
    visible = [c for c in checks if not c["hidden"]]
    assert len(visible) == sum(len(check.devices) for check in visible_checks("ex02_autograd"))  # a run per device
    visible = [c for c in visible if c["status"] != "skipped"]  # a GPU run, where there is none
    if COURSE.has_solutions:
        assert done.returncode == 1, done.stdout + done.stderr  # the hidden checks
        assert all(c["status"] == "passed" for c in visible)
        # Goldens cannot answer the hidden checks: proof that goldens, not the solutions, were used.
        assert all(c["status"] == "error" and "goldens hold the visible checks only" in c["message"] for c in checks if c["hidden"])
    else:
        assert done.returncode == 1, done.stdout + done.stderr
        assert all(c["status"] == "error" and "was not found" in c["message"] for c in visible)
