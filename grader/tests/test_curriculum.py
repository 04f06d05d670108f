"""The curriculum's invariants, for every exercise in the catalog.

- every check passes on the reference solutions;
- every check is `not_started` on the untouched stubs (no free points);
- exercises/ is exactly what the generator makes from solutions/;
- the catalog, the files and the hints agree;
- every variant (known mistake or correct alternative) gets the verdicts it declares.
"""

from __future__ import annotations

import ast

import pytest

from grader.authoring import generate, variants
from grader.core import stubs
from grader.core.references import References
from grader.core.suites import load_suite
from grader.tests.conftest import COURSE, ROOT, grade_folder

NAMES = COURSE.catalog.names
REFERENCES = References(COURSE.solutions)
MIN_CHECKS, MIN_HIDDEN = 8, 2


def grade_all(folder_label: str, exercise: str):
    return grade_folder(ROOT / folder_label, exercise, REFERENCES)


@pytest.mark.parametrize("exercise", NAMES)
def test_every_check_passes_on_the_solution(exercise):
    failing = [f"{r.name}: {r.status} {r.message}" for r in grade_all("solutions", exercise) if not r.passed]
    assert failing == []


@pytest.mark.parametrize("exercise", NAMES)
def test_every_check_is_not_started_on_the_stub(exercise):
    results = grade_all("exercises", exercise)
    assert results
    assert [f"{r.name}: {r.status}" for r in results if r.status != "not_started"] == []
    assert sum(r.points for r in results) == 0


def test_the_generator_reproduces_exercises():
    assert generate.stale(COURSE) == [], "run: python -m grader generate"


def test_catalog_names_match_the_files():
    for folder, pattern in (("solutions", "ex*.py"), ("exercises", "ex*.py"), ("tests", "test_ex*.py")):
        found = sorted(p.stem.removeprefix("test_") for p in (ROOT / folder).glob(pattern))
        assert found == sorted(NAMES), folder
    assert NAMES == sorted(NAMES), "catalog order follows the exercise numbers"


@pytest.mark.parametrize("exercise", NAMES)
def test_each_suite_has_enough_visible_and_hidden_checks(exercise):
    checks = load_suite(COURSE.suite(exercise))
    assert len(checks) >= MIN_CHECKS
    assert sum(c.hidden for c in checks) >= MIN_HIDDEN
    assert len({c.name for c in checks}) == len(checks)


def stubbed_names(exercise: str) -> set[str]:
    """Top-level functions and classes of a solution that contain a SOLUTION region."""
    source = (ROOT / "solutions" / f"{exercise}.py").read_text()
    lines = source.splitlines()
    markers = {n for n, line in enumerate(lines, start=1) if stubs.BEGIN.match(line)}
    return {
        node.name
        for node in ast.parse(source).body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef))
        and any(node.lineno <= n <= node.end_lineno for n in markers)
    }


@pytest.mark.parametrize("exercise", NAMES)
def test_every_stubbed_function_has_three_hint_levels(exercise):
    hints = COURSE.catalog.find(exercise).hints
    assert set(hints) == stubbed_names(exercise)
    assert all(len(levels) == 3 and all(levels) for levels in hints.values())


@pytest.mark.parametrize("exercise", NAMES)
def test_each_exercise_has_mistakes_that_fail_and_an_alternative_that_passes(exercise):
    found = variants.discover(COURSE, [exercise])
    assert sum(bool(v.verdicts) for v in found) >= 2, "at least two known-wrong variants"
    assert sum(not v.verdicts for v in found) >= 1, "at least one correct alternative"


# Hidden checks randomise values, never coverage: these exercises' variants are graded under 50 course
# secrets here, every exercise's by `make variants` (SALTS=50), whose sweep takes longer than the self-test may.
SALTED = ("ex01_tensors", "ex07_schedulers")
SALTS = 50


@pytest.mark.parametrize("variant", variants.discover(COURSE), ids=lambda v: v.label)
def test_variant_gets_the_declared_verdicts(variant, tmp_path):
    report = variants.run(COURSE, variant, tmp_path, REFERENCES, salts=SALTS if variant.exercise in SALTED else 1)
    assert report.problems == []
