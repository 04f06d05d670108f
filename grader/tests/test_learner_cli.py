"""The learner loop: `list`, `run`, `hint`, `reset`, in a copy of the course.

Most tests call the command line in this process (torch is already imported
here, so each is quick); one runs `python -m grader run` cold, as a learner does.
The course copy keeps only the first two exercises of the catalog, to keep grading short.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.commands import main
from grader.core import state as progress
from grader.core.course import Course
from grader.core.stubs import make_stub
from grader.learner import standing
from grader.commands import hint as hint_command
from grader.commands import reset
from grader.core.session import Target
from grader.learner.runner import Runner
from grader.tests.conftest import ROOT, run_grader, size_here

EXIT_OK, EXIT_NOT_PASSED, EXIT_USAGE = 0, 1, 2
EX01, EX02 = size_here("ex01_tensors"), size_here("ex02_autograd")
FIRST_STUB = "    raise NotImplementedError('tensor_from_list')\n"


def trim_catalog(course: Path, keep: int) -> Path:
    """Keep the first `keep` exercises of the course copy's catalog."""
    path = Course(course).catalog_file
    entry = "\n[[exercise]]\n"
    head, *entries = path.read_text().split(entry)
    path.write_text(entry.join([head, *entries[:keep]]))
    return course


@pytest.fixture
def course(course_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ex01 and ex02 only; the working directory is the course, as for a learner."""
    monkeypatch.chdir(course_copy)
    return trim_catalog(course_copy, 2)


def grader(*args: str) -> int:
    return main(list(args))


def solve(course: Path, exercise: str) -> None:
    shutil.copy(course / "solutions" / f"{exercise}.py", course / "exercises" / f"{exercise}.py")


def implement_first_function(course: Path, body: str = "return torch.tensor(values, dtype=torch.float32)") -> None:
    path = course / "exercises" / "ex01_tensors.py"
    source = path.read_text()
    assert FIRST_STUB in source
    path.write_text(source.replace(FIRST_STUB, f"    {body}\n"))


def rows(output: str) -> dict[str, str]:
    """`list` table rows by exercise name."""
    return {m[1]: m[0] for m in re.finditer(r"^.*?(ex\d\d_\w+).*$", output, re.MULTILINE) if "│" in m[0]}


# --- list ----------------------------------------------------------------------------


def test_list_shows_each_state_and_the_progress_and_follows_the_learner(course, capsys):
    assert grader("list") == EXIT_NOT_PASSED
    out = capsys.readouterr().out
    table = rows(out)
    assert list(table) == ["ex01_tensors", "ex02_autograd"]
    assert all("not started" in row for row in table.values())
    assert "0/2 exercises done" in out and "Next: ex01_tensors" in out

    solve(course, "ex01_tensors")
    (course / "exercises" / "ex02_autograd.py").write_text("def double_square_grad(x):\n    return x\n")
    assert grader("list") == EXIT_NOT_PASSED
    out = capsys.readouterr().out
    table = rows(out)
    assert "done" in table["ex01_tensors"] and f"{EX01.points}/{EX01.points}" in table["ex01_tensors"]
    assert "failing" in table["ex02_autograd"] and f" 0/{EX02.points}" in table["ex02_autograd"]
    assert "1/2 exercises done" in out and f"{EX01.points}/{EX01.points + EX02.points} points" in out and "Next: ex02_autograd" in out

    solve(course, "ex02_autograd")
    assert grader("list") == EXIT_OK
    assert "Every exercise is done" in capsys.readouterr().out


def test_list_reuses_verdicts_that_still_hold_and_grades_only_what_changed(course, capsys, monkeypatch):
    assert grader("list") == EXIT_NOT_PASSED
    graded: list[list[str]] = []
    real_grade = Runner.grade

    def recording_grade(self: Runner, names: list[str], only: str | None = None):
        graded.append(list(names))
        return real_grade(self, names, only)

    monkeypatch.setattr(Runner, "grade", recording_grade)

    assert grader("list") == EXIT_NOT_PASSED
    assert graded == []  # nothing changed: answered from results.json
    implement_first_function(course)
    assert grader("list") == EXIT_NOT_PASSED
    assert graded == [["ex01_tensors"]]
    assert f"1/{EX01.checks}" in rows(capsys.readouterr().out)["ex01_tensors"]

    suite = course / "tests" / "test_ex02_autograd.py"
    suite.write_text(suite.read_text())  # a newer suite: its verdicts no longer hold
    assert grader("list") == EXIT_NOT_PASSED
    assert graded[-1] == ["ex02_autograd"]


def test_a_partial_results_file_is_not_taken_for_a_whole_exercise(course, capsys):
    assert grader("run", "ex01") == EXIT_NOT_PASSED
    assert standing.Standing(Course(course)).cached("ex01_tensors") is not None
    results = course / "results.json"
    saved = json.loads(results.read_text())
    saved["checks"] = saved["checks"][1:]  # as `grade -k` leaves it
    results.write_text(json.dumps(saved))
    assert standing.Standing(Course(course)).cached("ex01_tensors") is None


# --- run -----------------------------------------------------------------------------


def test_run_without_an_exercise_grades_the_first_one_not_done(course, capsys):
    assert grader("run") == EXIT_NOT_PASSED
    out = capsys.readouterr().out
    assert f"ex01_tensors  0/{EX01.points}" in out and "still raises NotImplementedError" in out
    assert "ex02_autograd  " not in out

    solve(course, "ex01_tensors")
    assert grader("run") == EXIT_NOT_PASSED
    out = capsys.readouterr().out
    assert f"ex02_autograd  0/{EX02.points}" in out and "ex01_tensors  " not in out


def test_run_one_exercise_shows_every_check_and_what_comes_next(course, capsys):
    solve(course, "ex01_tensors")
    assert grader("run", "ex01") == EXIT_OK
    out = capsys.readouterr().out
    assert out.count("✓") >= EX01.checks
    assert "ex01_tensors is done" in out and "Next: ex02_autograd" in out
    saved = json.loads((course / "results.json").read_text())
    assert {c["exercise"] for c in saved["checks"]} == {"ex01_tensors"}


def test_run_one_check_runs_only_that_check(course, capsys):
    implement_first_function(course)
    assert grader("run", "ex01::tensor_from_nested_list") == EXIT_OK
    out = capsys.readouterr().out
    assert "✓ tensor_from_nested_list  1/1" in out
    assert "numpy_memory_sharing" not in out and "factories" not in out

    assert grader("run", "ex01::numpy_memory_sharing") == EXIT_NOT_PASSED
    assert "shared_from_numpy` still raises NotImplementedError" in capsys.readouterr().out


def test_a_check_prefix_runs_every_check_it_starts(course, capsys):
    assert grader("run", "ex02::clipping") == EXIT_NOT_PASSED  # as the README shows it
    out = capsys.readouterr().out
    assert "clipping_rescales_to_max_norm" in out and "clipping_leaves_small_gradients_alone" in out
    assert "one_sgd_step" not in out


def test_a_wrong_first_function_fails_with_the_difference(course, capsys):
    implement_first_function(course, "return torch.tensor(values)")  # int64: the classic mistake
    assert grader("run", "ex01::tensor_from_nested_list") == EXIT_NOT_PASSED
    out = capsys.readouterr().out
    assert "✗ tensor_from_nested_list" in out and "int64" in out


def test_after_a_verdict_the_next_step_is_the_readmes_loop_said_once(course, capsys):
    implement_first_function(course, "return torch.tensor(values)")
    assert grader("run") == EXIT_NOT_PASSED
    out = capsys.readouterr().out
    assert "make check" not in out and "Next:" not in out  # the failure was just shown: no command re-shows it
    assert out.count("make hint") == 1 and f"1/{EX01.checks} checks pass" not in out and f"0/{EX01.checks} checks pass. Stuck? make hint EX=ex01_tensors" in out


def test_the_score_table_is_followed_by_the_progress_and_the_loops_next_step(course):
    from grader.learner import views

    graded = Runner(Course(course), Target("exercises", course / "exercises")).grade(["ex01_tensors"])
    catalog = Course(course).catalog
    table_alone = views.render_summary(graded, catalog, details=False)
    assert "Graded  " in table_alone and "0/1 exercises done" in table_alone  # not the whole course
    assert "Next: ex01_tensors" in table_alone and "then: make run EX=ex01_tensors" in table_alone
    after_details = views.render_summary(graded, catalog, details=True)
    assert "stuck? make hint EX=ex01_tensors" in after_details and "make run" not in after_details


@pytest.mark.slow
def test_grade_prints_the_table_and_its_summary_not_pytests_progress(course):
    done = run_grader("grade", "ex01", cwd=course)
    assert done.returncode == EXIT_NOT_PASSED, done.stdout + done.stderr
    out = done.stdout
    assert not re.search(r"^[.FsEx]+\s*(\[\s*\d+%\])?$", out, re.MULTILINE)  # no progress line
    assert not re.search(r"\d+ failed", out)  # nor pytest's count
    assert "torchdrill score" in out and "not started" in out
    assert "0/1 exercises done" in out and "Next: ex01_tensors" in out and "make run EX=ex01_tensors" in out
    assert "make check" not in out


@pytest.mark.parametrize(
    "args, message",
    [
        (("run", "ex99"), "no single exercise matches 'ex99'"),
        (("run", "ex01::no_such_check"), "ex01_tensors has no check named 'no_such_check'"),
        (("hint", "ex99"), "no single exercise matches 'ex99'"),
        (("hint", "ex01", "no_such_function"), "ex01_tensors has no hints for 'no_such_function'"),
        (("reset", "ex99"), "no single exercise matches 'ex99'"),
        (("run", "missing.ipynb"), "no such notebook"),
    ],
)
def test_unknown_names_are_usage_errors_with_a_message(course, capsys, args, message):
    assert grader(*args) == EXIT_USAGE
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_a_cold_run_of_one_check_answers_without_importing_pytest(course):
    implement_first_function(course)
    code = (
        "import sys; from grader.commands import main; c = main(['run', 'ex01_tensors::tensor_from_nested_list']); "
        "print('pytest imported:', 'pytest' in sys.modules); sys.exit(c)"
    )
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, cwd=course, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    assert "✓ tensor_from_nested_list  1/1" in done.stdout
    assert "pytest imported: False" in done.stdout  # the fast path


MISBEHAVING = """
import os, sys, time
import torch


def double_square_grad(x):
    print("hello from the learner")
    return 4 * x


def accumulate_then_clear(x):
    os._exit(3)


def detached_product_grad(x):
    while True:
        pass
"""


def test_grading_shared_with_workers_gives_the_same_results_as_alone(course):
    (course / "exercises" / "ex02_autograd.py").write_text(MISBEHAVING)
    implement_first_function(course)

    def grade(jobs: int) -> list[tuple[str, str, float, str, str]]:
        runner = Runner(Course(course), Target("exercises", course / "exercises"), jobs=jobs)
        runner.session.timeout = 2.0
        submission = runner.grade(["ex01_tensors", "ex02_autograd"])
        return [(c.exercise, c.name, c.points, c.status, c.output) for c in submission.checks]

    alone, shared = grade(1), grade(3)
    assert shared == alone
    statuses = {name: status for _, name, _, status, _ in alone}
    assert statuses["tensor_from_nested_list"] == "passed" and statuses["double_square_grad_at_arange"] == "failed"
    assert statuses["gradients_accumulate_then_clear"] == "crashed" and statuses["detach_makes_a_constant"] == "timeout"
    assert any("hello from the learner" in output for *_, output in alone)


# --- hint ----------------------------------------------------------------------------


def levels_seen(course: Path) -> dict[str, dict[str, int]]:
    return json.loads(Course(course).state_file.read_text())["hints"]


def test_hint_levels_advance_are_remembered_and_end(course, capsys):
    levels = Course(course).catalog.find("ex01").hints["tensor_from_list"]
    for level in (1, 2, 3):
        assert grader("hint", "ex01") == EXIT_OK
        out = capsys.readouterr().out
        assert f"tensor_from_list · hint {level} of 3" in out
        assert levels[level - 1] in out
        assert all(text not in out for text in levels[level:])
        assert levels_seen(course) == {"ex01_tensors": {"tensor_from_list": level}}
    assert grader("hint", "ex01", "tensor_from_list") == EXIT_OK
    out = capsys.readouterr().out
    assert "were already shown" in out and all(text in out for text in levels)
    assert levels_seen(course)["ex01_tensors"]["tensor_from_list"] == 3


def test_hint_without_an_exercise_is_for_the_one_you_are_on(course, capsys):
    assert grader("hint") == EXIT_OK
    assert "ex01_tensors · tensor_from_list · hint 1 of 3" in capsys.readouterr().out
    solve(course, "ex01_tensors")
    assert grader("hint") == EXIT_OK
    assert "ex02_autograd · double_square_grad · hint 1 of 3" in capsys.readouterr().out
    solve(course, "ex02_autograd")
    assert grader("hint") == EXIT_OK
    assert hint_command.ALL_DONE in capsys.readouterr().out


def test_the_default_hint_follows_the_first_stub_or_failing_function(course, capsys):
    implement_first_function(course)
    assert grader("hint", "ex01") == EXIT_OK
    assert "shared_from_numpy · hint 1 of 3" in capsys.readouterr().out

    implement_first_function_wrongly = (course / "exercises" / "ex01_tensors.py").read_text().replace(
        "return torch.tensor(values, dtype=torch.float32)", "return torch.tensor(values)"
    )
    (course / "exercises" / "ex01_tensors.py").write_text(implement_first_function_wrongly)
    assert grader("hint", "ex01") == EXIT_OK  # implemented but failing comes first
    assert "tensor_from_list · hint 1 of 3" in capsys.readouterr().out

    solve(course, "ex01_tensors")
    assert grader("hint", "ex01") == EXIT_OK
    assert "ex01_tensors is done" in capsys.readouterr().out


def test_hints_seen_travel_in_the_results(course, capsys):
    assert grader("hint", "ex02", "double_square_grad") == EXIT_OK
    assert grader("run", "ex02") == EXIT_NOT_PASSED
    saved = json.loads((course / "results.json").read_text())
    assert saved["hints"] == {"ex02_autograd": {"double_square_grad": 1}}


def test_an_unreadable_state_file_is_a_fresh_start(tmp_path):
    course = Course(tmp_path)
    course.state_file.parent.mkdir()
    course.state_file.write_text("{not json")
    assert progress.load(course).hints == {}
    state = progress.LearnerState()
    state.saw("ex01_tensors", "row", 2)
    state.saw("ex01_tensors", "row", 1)  # levels only go up
    progress.save(course, state)
    assert progress.load(course).levels_seen("ex01_tensors", "row") == 2


# --- reset ---------------------------------------------------------------------------


def test_reset_restores_the_stub_and_keeps_the_learners_file(course, capsys):
    exercise = course / "exercises" / "ex01_tensors.py"
    implement_first_function(course)
    mine = exercise.read_text()
    assert grader("reset", "ex01") == EXIT_OK
    out = capsys.readouterr().out
    solution = course / "solutions" / "ex01_tensors.py"
    assert exercise.read_text() == make_stub(solution.read_text(), "solutions/ex01_tensors.py")
    assert exercise.read_text() == (ROOT / "exercises" / "ex01_tensors.py").read_text()
    backups = list((course / "exercises" / reset.BACKUP_DIR).glob("ex01_tensors.*.py"))
    assert len(backups) == 1 and backups[0].read_text() == mine
    assert str(backups[0].relative_to(course)) in out

    assert grader("reset", "ex01") == EXIT_OK
    assert "nothing to reset" in capsys.readouterr().out
    assert len(list((course / "exercises" / reset.BACKUP_DIR).iterdir())) == 1


def test_backups_are_ignored_by_git(tmp_path):
    """A backup holds the learner's work, or a solution: never committed (nor pushed to a public fork)."""
    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    backup = f"exercises/{reset.BACKUP_DIR}/ex01_tensors.20250101-120000.py"

    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=tmp_path, check=False).returncode == 0

    assert ignored(backup) and not ignored("exercises/ex01_tensors.py")


def test_backups_never_overwrite_each_other(tmp_path):
    path = tmp_path / "ex01_tensors.py"
    first = reset.backup_path(path, "20250101-120000")
    first.parent.mkdir()
    first.write_text("one")
    assert reset.backup_path(path, "20250101-120000") == first.with_name("ex01_tensors.20250101-120000-2.py")


def test_reset_after_reset_means_a_not_started_exercise_again(course, capsys):
    solve(course, "ex01_tensors")
    assert grader("run", "ex01") == EXIT_OK
    assert grader("reset", "ex01") == EXIT_OK
    assert grader("run", "ex01") == EXIT_NOT_PASSED
    assert f"ex01_tensors  0/{EX01.points}" in capsys.readouterr().out


def test_without_solutions_grading_uses_the_goldens_and_reset_says_why_it_cannot(course, capsys):
    """A student release ships goldens/ instead of solutions/."""
    shutil.copytree(ROOT / "goldens", course / "goldens")
    shutil.rmtree(course / "solutions")
    implement_first_function(course)
    assert grader("run", "ex01::tensor_from_nested_list") == EXIT_OK
    assert "✓ tensor_from_nested_list  1/1" in capsys.readouterr().out
    assert grader("reset", "ex01") == EXIT_USAGE
    assert "neither solutions/ex01_tensors.py nor stubs/ex01_tensors.py is in this copy of the course" in capsys.readouterr().err


# --- notebooks -----------------------------------------------------------------------


def test_run_grades_a_notebooks_tagged_cells(course, capsys):
    from grader.learner.notebooks import build as notebooks

    exercise = Course(course).catalog.find("ex01")
    solved = notebooks.build_notebook(exercise, (course / "solutions" / "ex01_tensors.py").read_text())
    path = course / "ex01_tensors.ipynb"
    path.write_text(nbformat.writes(solved))
    assert grader("run", str(path)) == EXIT_OK
    assert f"ex01_tensors  {EX01.points}/{EX01.points}" in capsys.readouterr().out

    assert grader("run", f"{path}::factories") == EXIT_OK
    assert "numpy_memory_sharing" not in capsys.readouterr().out

    path.write_text("{ not a notebook")
    assert grader("run", str(path)) == EXIT_USAGE
    assert "not valid JSON" in capsys.readouterr().err
