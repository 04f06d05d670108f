"""The student release: no solution code, no hidden check, and grading inside it works.

The release is built once for this module. Grading runs in copies of it, with
this repository's .venv (the release's own `make` is pointed at it too).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from grader.authoring import generate, release
from grader.core import stubs
from grader.core.catalog import load as load_catalog
from grader.core.course import Course
from grader.core.suites import load_suite
from grader.run import devices
from grader.tests.conftest import COURSE, ROOT, read_results, run_grader

NAMES = COURSE.catalog.names
VENV = (ROOT / ".venv").resolve()


COURSE_PARTS = ("catalog.toml", "conftest.py", "pyproject.toml", "requirements.lock", ".gitignore", "Makefile", "README.md",
                "solutions", "tests", "goldens", "data", "docs", ".devcontainer")


def learner_like_course(folder: Path) -> Course:
    """A copy of the course in which someone worked: solved and half-solved exercises, reset backups."""
    for name in COURSE_PARTS:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, folder / name)
    exercises = folder / "exercises"
    shutil.copytree(ROOT / "solutions", exercises)
    (exercises / ".backup").mkdir()
    shutil.copy2(ROOT / "solutions" / f"{NAMES[1]}.py", exercises / ".backup" / f"{NAMES[1]}.20260101-120000.py")
    (exercises / "scratch_notes.py").write_text("# my own notes\n")
    return Course(folder)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> release.Release:
    course = learner_like_course(tmp_path_factory.mktemp("course"))
    return release.build(course, tmp_path_factory.mktemp("release") / "student")


def copy_of(built: release.Release, tmp_path: Path) -> Path:
    folder = tmp_path / "student"
    shutil.copytree(built.out, folder, copy_function=shutil.copy2)
    return folder


def solution_bodies() -> list[tuple[str, str]]:
    """(exercise, code) of every BEGIN/END SOLUTION region, whitespace normalised."""
    bodies = []
    for path in sorted((ROOT / "solutions").glob("ex*.py")):
        region: list[str] | None = None
        for line in path.read_text().splitlines():
            if stubs.BEGIN.match(line):
                region = []
            elif stubs.END.match(line):
                bodies.append((path.stem, " ".join(" ".join(region or []).split())))
                region = None
            elif region is not None:
                region.append(line)
    return bodies


def hidden_names() -> list[str]:
    return [c.name for name in NAMES for c in load_suite(COURSE.suite(name)) if c.hidden]


def released_files(out: Path) -> dict[str, str]:
    """Every file of the release as text (binary files decoded leniently: nothing hides in them)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file()
    }


def visible_results(path: Path) -> dict[str, str]:
    """`{check: status}`; a gpu variant may be skipped, and only where CUDA is absent."""
    results = {key: c["status"] for key, c in read_results(path).items()}
    skipped = [key for key, status in results.items() if status == "skipped"]
    assert all(key.endswith("[cuda]") for key in skipped) and not (skipped and devices.available("cuda"))
    return {key: status for key, status in results.items() if status != "skipped"}


# --- what the release holds ------------------------------------------------------------------


def test_no_solution_code_and_no_hidden_check_anywhere_in_the_release(built):
    files = released_files(built.out)
    bodies = solution_bodies()
    hidden = hidden_names()
    assert len(bodies) > 100 and len(hidden) > 40
    # Stubs and the first hint levels are published on purpose: exactly the generated stubs (in exercises/,
    # and in stubs/ for `reset`), whatever the working tree held, and the catalog's first two levels.
    for stub in generate.plan(COURSE):
        assert files.pop(f"exercises/{stub.exercise.name}") == stub.text
        assert files.pop(f"stubs/{stub.exercise.name}") == stub.text
    assert not [path for path in files if path.startswith(("exercises/", "stubs/"))]
    shipped = load_catalog(built.out / "catalog.toml")
    assert [e.name for e in shipped.exercises] == NAMES
    for ours, theirs in zip(COURSE.catalog.exercises, shipped.exercises, strict=True):
        assert (theirs.title, theirs.intro) == (ours.title, ours.intro)
        assert theirs.hints == {name: levels[: release.DEFAULT_HINTS] for name, levels in ours.hints.items()}
    third = [levels[2] for e in COURSE.catalog.exercises for levels in e.hints.values() if len(levels) > 2]
    assert len(third) > 100 and not [hint for hint in third if hint in files["catalog.toml"]]
    del files["catalog.toml"]
    distinctive = [(exercise, body) for exercise, body in bodies if len(body) > len("return self")]  # a protocol, not a solution
    leaks = [
        f"{path}: solution of {exercise}: {body[:60]}"
        for path, text in files.items()
        for exercise, body in distinctive
        if body in " ".join(text.split())
    ]
    assert leaks == []
    named = [
        f"{path}: {name}"
        for path, text in released_files(built.out).items()
        for name in hidden
        if re.search(rf"\b{name}\b", text)
    ]
    assert named == []


def test_the_release_holds_the_learner_course_and_nothing_of_the_instructor(built):
    top = sorted(p.name for p in built.out.iterdir())
    assert top == sorted(
        [
            ".devcontainer",
            ".gitignore",
            release.MARKER,
            "Makefile",
            "README.md",
            "catalog.toml",
            "conftest.py",
            "data",
            "docs",
            "exercises",
            "goldens",
            "grader",
            "pyproject.toml",
            "requirements.lock",
            "stubs",
            "tests",
        ]
    )
    assert sorted(p.name for p in (built.out / "docs").iterdir()) == sorted(
        name for name in release.LEARNER_DOCS if (ROOT / "docs" / name).is_file()
    )
    assert sorted(p.name for p in (built.out / "tests").iterdir()) == sorted(f"test_{n}.py" for n in NAMES)
    shipped = {p.relative_to(built.out).as_posix() for p in (built.out / "grader").rglob("*") if p.is_file()}
    packages = {p.parts[1] for p in map(Path, shipped) if len(p.parts) > 2}
    assert packages == {"core", "run", "learner", "commands", "tests"} and built.left_out == ["authoring", "classroom"]
    for instructor in (
        "grader/commands/generate.py",
        "grader/commands/class_.py",
        "grader/tests/test_curriculum.py",
        "grader/tests/test_release.py",
        "grader/tests/test_goldens.py",
    ):
        assert instructor not in shipped
    assert {"grader/core/references.py", "grader/learner/plugin.py", "grader/tests/test_references.py"} <= shipped
    assert built.visible + built.hidden_removed == sum(len(load_suite(COURSE.suite(n))) for n in NAMES)


def test_makefile_readme_and_cli_offer_only_the_learner_commands(built):
    makefile = (built.out / "Makefile").read_text()
    targets = set(re.findall(r"(?m)^([a-z]+):", makefile))
    assert {"grade", "check", "test", "install"} <= targets
    assert not targets & set(release.INSTRUCTOR_TARGETS)
    assert "SUBMISSIONS" not in makefile
    # the course alone for every target: no report or self-test tools for a learner
    assert not re.search(r"REPORTS_STAMP|TEST_STAMP|\[reports\]|\[test\]", makefile)
    assert re.search(r"(?m)^test: \$\(STAMP\)$", makefile) and "TORCH_INDEX ?=" in makefile
    readme = (built.out / "README.md").read_text()
    assert "Student release" in readme and "## For authors" not in readme and "make variants" not in readme
    done = subprocess.run(
        [str(VENV / "bin" / "python"), "-m", "grader", "--help"],
        check=False,
        cwd=built.out,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    offered = set(re.findall(r"(?m)^    ([a-z_]+)\b", done.stdout))
    assert "grade" in offered and not offered & set(release.INSTRUCTOR_COMMANDS)  # the release's grader answered


# --- grading inside the release ---------------------------------------------------------------


@pytest.mark.slow
def test_a_full_solution_set_in_the_release_earns_full_marks(built, tmp_path):
    student = copy_of(built, tmp_path)
    for solution in (ROOT / "solutions").glob("ex*.py"):
        shutil.copy(solution, student / "exercises" / solution.name)
    done = run_grader("grade", "--jobs", "2", cwd=student, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((student / "results.json").read_text())
    assert data["score"] == data["max_score"] > 0
    assert set(visible_results(student / "results.json").values()) == {"passed"}


MISTAKES = """

def double_square_grad(x):
    return 2 * x


def mean_of_squares_grad(x):
    raise ValueError("not like this")
"""


@pytest.mark.slow
def test_grading_in_the_release_gives_the_statuses_of_grading_against_the_solutions(built, tmp_path):
    student = copy_of(built, tmp_path)
    exercises = student / "exercises"
    shutil.copy(ROOT / "solutions" / "ex01_tensors.py", exercises)
    (exercises / "ex02_autograd.py").write_text((ROOT / "solutions" / "ex02_autograd.py").read_text() + MISTAKES)
    (exercises / "ex03_modules.py").write_text("raise RuntimeError('broken at import')\n")
    chosen = ["ex01", "ex02", "ex03", "ex04"]  # ex04: the untouched stub
    in_release, live = tmp_path / "release.json", tmp_path / "live.json"
    assert run_grader("grade", *chosen, "--json", str(in_release), cwd=student).returncode == 1
    assert run_grader("grade", *chosen, "--target", str(exercises), "--json", str(live)).returncode == 1
    released = read_results(in_release)
    against_solutions = {key: c for key, c in read_results(live).items() if not c["hidden"]}
    assert sorted(released) == sorted(against_solutions)
    assert {k: (c["status"], c["message"]) for k, c in released.items()} == {
        k: (c["status"], c["message"]) for k, c in against_solutions.items()
    }
    assert {"passed", "failed", "error", "not_started"} <= {c["status"] for c in released.values()}


def make(student: Path, target: str, *settings: str) -> subprocess.CompletedProcess[str]:
    """`make TARGET` in the release with this repository's .venv, which must not be reinstalled.

    The install stamps are files of our own, newer than the packaging files: make sees the
    environment as installed and leaves the shared .venv (and its own stamps) alone.
    """
    stamps = student.parent / "stamps"
    stamps.mkdir()
    for age, name in enumerate(("pyproject.toml", "requirements.lock", "installed", "test-installed")):
        path = stamps / name if name.endswith("installed") else student / name
        path.touch()
        os.utime(path, (1_700_000_000 + age, 1_700_000_000 + age))
    variables = [f"VENV={VENV}", f"STAMP={stamps / 'installed'}", f"TEST_STAMP={stamps / 'test-installed'}", *settings]
    planned = subprocess.run(
        ["make", "-n", target, *variables], check=False, cwd=student, capture_output=True, text=True
    )
    assert "pip install" not in planned.stdout, planned.stdout
    return subprocess.run(
        ["make", target, *variables], check=False, cwd=student, capture_output=True, text=True, timeout=600
    )


@pytest.mark.slow
def test_make_grade_in_the_untouched_release_gives_not_started_everywhere(built, tmp_path):
    student = copy_of(built, tmp_path)
    graded = make(student, "grade", "JOBS=2")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "Total" in graded.stdout
    statuses = visible_results(student / "results.json")
    visible = {c.key for n in NAMES for c in load_suite(COURSE.suite(n)) if not c.hidden}
    assert {re.sub(r"\[\w+\]$", "", key) for key in statuses} == visible
    assert set(statuses.values()) == {"not_started"}
    assert json.loads((student / "results.json").read_text())["score"] == 0


def test_make_reset_in_the_release_restores_the_stub_and_keeps_the_learners_file(built, tmp_path):
    student = copy_of(built, tmp_path)
    exercise = student / "exercises" / f"{NAMES[1]}.py"
    pristine = exercise.read_text()
    exercise.write_text(pristine + "\n# my work\n")
    done = make(student, "reset", f"EX={NAMES[1]}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert exercise.read_text() == pristine
    kept = list((student / "exercises" / ".backup").glob(f"{NAMES[1]}.*.py"))
    assert len(kept) == 1 and kept[0].read_text().endswith("# my work\n")


def test_every_page_the_release_names_is_shipped(built, tmp_path):
    student = copy_of(built, tmp_path)
    assert "docs/architecture.md" not in (student / "README.md").read_text()
    (student / "docs" / "feedback.md").unlink()
    with pytest.raises(release.ReleaseError, match="does not ship"):
        release.check_links(student)


@pytest.mark.slow
def test_make_test_in_the_release_runs_its_own_self_test(built, tmp_path):
    tested = make(copy_of(built, tmp_path), "test")
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]
    assert re.search(r"\d+ passed", tested.stdout)
    assert "skipped" not in tested.stdout  # every self-test it ships runs there, against its goldens


# --- the pieces --------------------------------------------------------------------------------

SUITE = '''
"""Checks of ex09_z."""

import math
import torch

from grader import check

SCALE = 3.0
HIDDEN_ONLY = 7


def _shared(ex):
    return ex.f(torch.ones(2))


def _helper_of_the_hidden(n):
    return torch.randn(n) * HIDDEN_ONLY


@check(points=2)
def visible_one(ex):
    """Uses the shared helper."""
    return {"out": _shared(ex) * SCALE}


# Random sizes: the comment belongs to the hidden check.
@check(points=1, hidden=True)
def secret_random(ex):
    return {"out": ex.f(_helper_of_the_hidden(int(math.sqrt(16))))}


@check()
def visible_two(ex):
    return {"out": _shared(ex)}
'''


def test_visible_suite_cuts_hidden_checks_and_the_helpers_only_they_use():
    text = release.visible_suite(textwrap.dedent(SUITE), {"secret_random"})
    for gone in ("secret_random", "_helper_of_the_hidden", "HIDDEN_ONLY", "import math", "Random sizes"):
        assert gone not in text
    for kept in ('"""Checks of ex09_z."""', "SCALE = 3.0", "def _shared", "def visible_one", "def visible_two"):
        assert kept in text
    assert "\n\n\n\n" not in text
    compile(text, "suite", "exec")


def test_cli_keeps_only_the_given_commands():
    source = 'import x\n\nCOMMANDS = (\n    "grade",\n    "generate",\n    "class_",\n)\n\n\ndef main():\n    pass\n'
    trimmed = release.with_commands(source, ["grade"])
    assert "COMMANDS = ('grade',)\n" in trimmed and trimmed.endswith("def main():\n    pass\n")


def test_only_an_earlier_release_is_ever_replaced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(release.ReleaseError, match="not a torchdrill release"):
        release._prepare(ROOT, tmp_path)
    with pytest.raises(release.ReleaseError, match="may not contain the course"):
        release._prepare(ROOT, ROOT.parent)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    (tmp_path / release.MARKER).write_text("")
    release._prepare(ROOT, tmp_path)
    assert list(tmp_path.iterdir()) == [tmp_path / release.MARKER]  # written first: a failed build is replaceable
