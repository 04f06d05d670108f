"""Goldens: the visible checks' reference outcomes, recorded from solutions/ (the instructor's side).

`test_references.py`, which ships in the student release, grades against them.
"""

from __future__ import annotations

import math
import shutil
import textwrap
from pathlib import Path

import pytest
import torch

from grader.authoring import goldens
from grader.core import determinism
from grader.core.checks import check
from grader.core.course import Course
from grader.core.references import GoldenError, GoldenReferences, References, reference_source
from grader.core.session import seed_of
from grader.core.suites import bind, load_suite
from grader.tests.conftest import COURSE, ROOT, run_grader
from grader.tests.test_references import GOLDENS, grade_visible


# --- the committed goldens ------------------------------------------------------------------


def test_committed_goldens_are_exactly_what_the_solutions_record(tmp_path):
    written = goldens.write(COURSE, tmp_path)
    recorded = {p.name: p.read_bytes() for p in written}
    committed = {p.name: p.read_bytes() for p in GOLDENS.iterdir()}
    assert sorted(committed) == sorted(recorded), "run: python -m grader goldens"
    differing = [name for name in recorded if recorded[name] != committed[name]]
    assert differing == [], f"stale goldens {differing}: run python -m grader goldens"


# --- goldens grade like the solutions -------------------------------------------------------

MISTAKES = """

def double_square_grad(x):
    return 2 * x  # d/dx of x·x, not of 2·x·x


def mean_of_squares_grad(x):
    raise ValueError("not like this")
"""


def test_goldens_give_the_same_statuses_and_messages_as_the_solutions(tmp_path):
    for name in ("ex01_tensors", "ex05_losses"):
        shutil.copy(ROOT / "solutions" / f"{name}.py", tmp_path)
    (tmp_path / "ex02_autograd.py").write_text((ROOT / "solutions" / "ex02_autograd.py").read_text() + MISTAKES)
    exercises = ["ex01_tensors", "ex02_autograd", "ex05_losses", "ex09_training"]  # ex09: missing file
    live = grade_visible(tmp_path, References(COURSE.solutions), exercises)
    golden = grade_visible(tmp_path, GoldenReferences(COURSE), exercises)
    assert golden == live
    statuses = {status for status, _ in live.values()}
    assert {"passed", "failed", "error"} <= statuses


# --- the format, on a small course of its own -----------------------------------------------

SOLUTION = """
import torch

def values():
    return {
        "floats": torch.tensor([1.5, float("nan"), -float("inf")], dtype=torch.float64),
        "mask": torch.tensor([True, False]),
        "half": torch.ones(2, dtype=torch.bfloat16),
        "scalar": torch.tensor(3),
        "plain": [0.1 + 0.2, 7, "text", None, True],
        "opaque": object(),
        "nested": {},
    }

def strict(x):
    raise ValueError("x must be positive")
"""

SUITE = """
import torch
from grader import check, capture


@check()
def all_kinds_of_values(ex):
    return ex.values()


@check()
def raises_on_purpose(ex):
    return ex.strict(-1)


@check()
def captured_error_among_values(ex):
    return {"random": torch.randn(3), "error": capture(ex.strict, -1)}


@check(hidden=True)
def hidden_random(ex):
    return {"random": torch.randn(3)}
"""


@pytest.fixture
def small_course(tmp_path: Path) -> Course:
    (tmp_path / "catalog.toml").write_text('format_version = 1\n[[exercise]]\nname = "ex01_small"\ntitle = "Small"\n')
    for folder in ("solutions", "tests"):
        (tmp_path / folder).mkdir()
    (tmp_path / "solutions" / "ex01_small.py").write_text(textwrap.dedent(SOLUTION))
    (tmp_path / "tests" / "test_ex01_small.py").write_text(textwrap.dedent(SUITE))
    return Course(tmp_path)


def test_recorded_outcomes_read_back_exactly_as_the_references_computed_them(small_course):
    determinism.configure_process()
    goldens.write(small_course)
    assert goldens.stale(small_course) == []
    live, golden = References(small_course.solutions), GoldenReferences(small_course)
    checks = goldens.visible_checks(small_course, "ex01_small")
    assert [c.name for c in checks] == ["all_kinds_of_values", "raises_on_purpose", "captured_error_among_values"]
    for item in checks:
        expected, got = live.outcome(item, seed_of(item)), golden.outcome(item, seed_of(item))
        assert (got.kind, got.error) == (expected.kind, expected.error)
        assert list(got.observations or {}) == list(expected.observations or {})  # probe order kept
        for key, value in (expected.observations or {}).items():
            assert same(got.observations[key], value), key
    values = golden.outcome(checks[0], seed_of(checks[0])).observations
    assert values["plain[0]"] == 0.1 + 0.2 and values["half"].dtype == torch.bfloat16
    assert golden.outcome(checks[1], seed_of(checks[1])).error.type == "ValueError"
    # Like a reference run, it leaves the process prepared (seeded, deterministic) for the fork that follows.
    assert torch.initial_seed() == seed_of(checks[1]) and torch.are_deterministic_algorithms_enabled()


def same(a, b) -> bool:
    if hasattr(a, "data") and isinstance(a.data, torch.Tensor):
        return (
            a.device == b.device
            and a.dtype == b.dtype
            and torch.equal(a.data.isnan(), b.data.isnan())
            and (torch.equal(a.data.nan_to_num(), b.data.nan_to_num()))
        )
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


def test_goldens_refuse_hidden_checks_and_other_seeds(small_course):
    goldens.write(small_course)
    suite = load_suite(small_course.suite("ex01_small"))
    hidden = next(c for c in suite if c.hidden)
    visible = next(c for c in suite if not c.hidden)
    golden = GoldenReferences(small_course)
    with pytest.raises(GoldenError, match="hidden check"):
        golden.outcome(hidden, 1)
    with pytest.raises(GoldenError, match="recorded with seed"):
        golden.outcome(visible, seed_of(visible) + 1)
    unknown = bind(check()(lambda ex: 1), small_course.suite("ex02_missing"))
    with pytest.raises(GoldenError, match="no goldens for ex02_missing"):
        golden.outcome(unknown, 1)


def test_a_changed_reference_makes_its_golden_stale(small_course):
    goldens.write(small_course)
    solution = small_course.solution("ex01_small")
    solution.write_text(solution.read_text().replace('"text"', '"other text"'))
    (small_course.goldens / "ex09_gone.json").write_text("{}")
    assert goldens.stale(small_course) == [
        "ex01_small: differs in all_kinds_of_values",
        "ex09_gone.json: not a golden of any exercise",
    ]


def test_goldens_check_exits_1_on_stale_goldens_and_0_once_rerecorded(small_course):
    shutil.copy(ROOT / "conftest.py", small_course.root)
    goldens.write(small_course)
    solution = small_course.solution("ex01_small")
    solution.write_text(solution.read_text().replace("x must be positive", "x must be > 0"))
    (small_course.goldens / "ex09_gone.safetensors").write_bytes(b"")
    stale = run_grader("goldens", "--check", cwd=small_course.root)
    assert stale.returncode == 1
    assert "stale: goldens/ex01_small: differs in raises_on_purpose, captured_error_among_values" in stale.stdout
    assert "stale: goldens/ex09_gone.safetensors: not a golden of any exercise" in stale.stdout
    rerecorded = run_grader("goldens", cwd=small_course.root)
    assert rerecorded.returncode == 0 and "removed goldens/ex09_gone.safetensors" in rerecorded.stdout
    assert goldens.stale(small_course) == []


def test_reference_source_prefers_solutions_and_falls_back_to_goldens(small_course):
    assert isinstance(reference_source(small_course), References)
    assert isinstance(reference_source(small_course, "goldens"), GoldenReferences)
    goldens.write(small_course)
    shutil.rmtree(small_course.solutions)
    assert isinstance(reference_source(small_course), GoldenReferences)
    with pytest.raises(ValueError, match="not a valid ReferenceChoice"):
        reference_source(small_course, "elsewhere")
