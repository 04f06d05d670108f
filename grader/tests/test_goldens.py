"""Goldens: the visible checks' reference outcomes, recorded from solutions/.

Ships in the student release, where it is the golden-based self-check: the tests
marked `needs_solutions` are skipped there (no solutions/ to record from), the
others prove that the shipped goldens cover the shipped checks and that grading
against them works.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from safetensors.torch import load as load_tensors

from grader import catalog, determinism, goldens, suites
from grader.checks import check
from grader.goldens import GoldenError, GoldenReferences
from grader.grading import Grader, References, Target
from grader.tests.conftest import ROOT, read_results, run_grader

needs_solutions = pytest.mark.skipif(
    not goldens.has_solutions(ROOT), reason="records from solutions/: the instructor's course, not a student release"
)
NAMES = catalog.load(ROOT).names
GOLDENS = ROOT / goldens.GOLDENS_DIR


def grade_visible(folder: Path, references, exercises: list[str]) -> dict[str, tuple[str, str]]:
    """`{check id: (status, message)}` for the visible checks of `exercises`, on the CPU."""
    grader = Grader(Target(folder.name, folder), references)
    return {
        f"{c.key}": (r.status, r.message)
        for exercise in exercises
        for c in goldens.visible_checks(ROOT, exercise)
        for r in [grader.grade(c, "cpu")]
    }


# --- the committed goldens ------------------------------------------------------------------


@needs_solutions
def test_committed_goldens_are_exactly_what_the_solutions_record(tmp_path):
    written = goldens.write(ROOT, tmp_path)
    recorded = {p.name: p.read_bytes() for p in written}
    committed = {p.name: p.read_bytes() for p in GOLDENS.iterdir()}
    assert sorted(committed) == sorted(recorded), "run: python -m grader goldens"
    differing = [name for name in recorded if recorded[name] != committed[name]]
    assert differing == [], f"stale goldens {differing}: run python -m grader goldens"


@pytest.mark.parametrize("exercise", NAMES)
def test_goldens_hold_exactly_the_visible_checks_with_their_grading_seeds(exercise):
    document = json.loads((GOLDENS / f"{exercise}.json").read_text())
    visible = goldens.visible_checks(ROOT, exercise)
    assert (document["format"], document["exercise"]) == (goldens.FORMAT, exercise)
    assert list(document["checks"]) == [c.name for c in visible]
    seeds = Grader(Target("", ROOT), GoldenReferences(GOLDENS))
    assert [entry["seed"] for entry in document["checks"].values()] == [seeds.seed(c) for c in visible]
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
    results = grade_visible(tmp_path, GoldenReferences(GOLDENS), NAMES)
    assert len(results) == sum(len(goldens.visible_checks(ROOT, name)) for name in NAMES)
    assert {key: status for key, (status, message) in results.items() if "was not found" not in message} == {}
    assert {status for status, _ in results.values()} == {"error"}


def test_the_plugin_grades_against_goldens_when_asked(tmp_path):
    """`--references goldens`, through pytest as `python -m grader grade` runs it."""
    results = tmp_path / "results.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(suites.suite_path(ROOT, "ex02_autograd")),
        f"--rootdir={ROOT}",
        f"--target={tmp_path}",
        "--references=goldens",
        f"--results-json={results}",
        "-p",
        "no:cacheprovider",
        "-q",
    ]
    done = subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    checks = read_results(results).values()
    visible = [c for c in checks if not c["hidden"]]
    assert len(visible) == len(goldens.visible_checks(ROOT, "ex02_autograd"))
    assert all(c["status"] == "error" and "was not found" in c["message"] for c in visible)
    # Where hidden checks exist (not in a release), goldens cannot answer them: proof that goldens were used.
    assert all("goldens hold the visible checks only" in c["message"] for c in checks if c["hidden"])


# --- goldens grade like the solutions -------------------------------------------------------

MISTAKES = """

def double_square_grad(x):
    return 2 * x  # d/dx of x·x, not of 2·x·x


def mean_of_squares_grad(x):
    raise ValueError("not like this")
"""


@needs_solutions
def test_goldens_give_the_same_statuses_and_messages_as_the_solutions(tmp_path):
    for name in ("ex01_tensors", "ex05_losses"):
        shutil.copy(ROOT / "solutions" / f"{name}.py", tmp_path)
    (tmp_path / "ex02_autograd.py").write_text((ROOT / "solutions" / "ex02_autograd.py").read_text() + MISTAKES)
    exercises = ["ex01_tensors", "ex02_autograd", "ex05_losses", "ex09_training"]  # ex09: missing file
    live = grade_visible(tmp_path, References(ROOT / "solutions"), exercises)
    golden = grade_visible(tmp_path, GoldenReferences(GOLDENS), exercises)
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
def small_course(tmp_path: Path) -> Path:
    (tmp_path / "catalog.toml").write_text('[[exercise]]\nname = "ex01_small"\ntitle = "Small"\n')
    for folder in ("solutions", "tests"):
        (tmp_path / folder).mkdir()
    (tmp_path / "solutions" / "ex01_small.py").write_text(textwrap.dedent(SOLUTION))
    (tmp_path / "tests" / "test_ex01_small.py").write_text(textwrap.dedent(SUITE))
    return tmp_path


def test_recorded_outcomes_read_back_exactly_as_the_references_computed_them(small_course):
    determinism.configure_process()
    goldens.write(small_course)
    assert goldens.stale(small_course) == []
    live, golden = References(small_course / "solutions"), GoldenReferences(small_course / "goldens")
    checks = goldens.visible_checks(small_course, "ex01_small")
    seeds = Grader(Target("", small_course), live)
    assert [c.name for c in checks] == ["all_kinds_of_values", "raises_on_purpose", "captured_error_among_values"]
    for item in checks:
        expected, got = live.outcome(item, seeds.seed(item)), golden.outcome(item, seeds.seed(item))
        assert (got.kind, got.error) == (expected.kind, expected.error)
        assert list(got.observations or {}) == list(expected.observations or {})  # probe order kept
        for key, value in (expected.observations or {}).items():
            assert same(got.observations[key], value), key
    values = golden.outcome(checks[0], seeds.seed(checks[0])).observations
    assert values["plain[0]"] == 0.1 + 0.2 and values["half"].dtype == torch.bfloat16
    assert golden.outcome(checks[1], seeds.seed(checks[1])).error.type == "ValueError"
    # Like a reference run, it leaves the process prepared (seeded, deterministic) for the fork that follows.
    assert torch.initial_seed() == seeds.seed(checks[1]) and torch.are_deterministic_algorithms_enabled()


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
    suite = suites.load_suite(suites.suite_path(small_course, "ex01_small"))
    hidden = next(c for c in suite if c.hidden)
    visible = next(c for c in suite if not c.hidden)
    golden = GoldenReferences(small_course / "goldens")
    with pytest.raises(GoldenError, match="hidden check"):
        golden.outcome(hidden, 1)
    with pytest.raises(GoldenError, match="recorded with seed"):
        golden.outcome(visible, Grader(Target("", small_course), golden).seed(visible) + 1)
    unknown = suites.bind(check()(lambda ex: 1), suites.suite_path(small_course, "ex02_missing"))
    with pytest.raises(GoldenError, match="no goldens for ex02_missing"):
        golden.outcome(unknown, 1)


def test_a_changed_reference_makes_its_golden_stale(small_course):
    goldens.write(small_course)
    solution = small_course / "solutions" / "ex01_small.py"
    solution.write_text(solution.read_text().replace('"text"', '"other text"'))
    (small_course / "goldens" / "ex09_gone.json").write_text("{}")
    assert goldens.stale(small_course) == [
        "ex01_small: differs in all_kinds_of_values",
        "ex09_gone.json: not a golden of any exercise",
    ]


@needs_solutions  # the `goldens` command is the instructor's: the release leaves it out
def test_goldens_check_exits_1_on_stale_goldens_and_0_once_rerecorded(small_course):
    shutil.copy(ROOT / "conftest.py", small_course)
    goldens.write(small_course)
    solution = small_course / "solutions" / "ex01_small.py"
    solution.write_text(solution.read_text().replace("x must be positive", "x must be > 0"))
    (small_course / "goldens" / "ex09_gone.safetensors").write_bytes(b"")
    stale = run_grader("goldens", "--check", cwd=small_course)
    assert stale.returncode == 1
    assert "stale: goldens/ex01_small: differs in raises_on_purpose, captured_error_among_values" in stale.stdout
    assert "stale: goldens/ex09_gone.safetensors: not a golden of any exercise" in stale.stdout
    rerecorded = run_grader("goldens", cwd=small_course)
    assert rerecorded.returncode == 0 and "removed goldens/ex09_gone.safetensors" in rerecorded.stdout
    assert goldens.stale(small_course) == []


def test_reference_source_prefers_solutions_and_falls_back_to_goldens(small_course):
    assert isinstance(goldens.reference_source(small_course), References)
    assert isinstance(goldens.reference_source(small_course, "goldens"), GoldenReferences)
    goldens.write(small_course)
    shutil.rmtree(small_course / "solutions")
    assert isinstance(goldens.reference_source(small_course), GoldenReferences)
    with pytest.raises(ValueError, match="not one of"):
        goldens.reference_source(small_course, "elsewhere")
