"""`run [EX]`: grade one exercise (or one check, or a notebook) and show every check."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from grader.learner import terminal
from grader.learner import views as course_view
from grader.core.course import Course
from grader.commands import EXIT_NOT_PASSED, EXIT_OK, EXIT_USAGE
from grader.core.results import Status, Submission
from grader.learner.standing import Standing

HELP = "grade one exercise and show every check (default: the first exercise not done)"
EPILOG = """\
examples:
  torchdrill run                        the first exercise not done
  torchdrill run ex02                   one exercise, by name or prefix
  torchdrill run ex02::one_sgd_step     one check of it
  torchdrill run ex02::clipping         the checks whose names start with `clipping`
  torchdrill run notebooks/ex02_autograd.ipynb   a notebook's tagged cells

exit status: 0 every check passed, 1 some check did not pass,
             2 usage error (unknown exercise or check, unreadable notebook), 3 internal error"""
NEXT = "then: make run"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "exercise", nargs="?", help="EX, EX::CHECK (a check, or the checks starting with CHECK), or a notebook (.ipynb); default: the first exercise not done"
    )
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run(course: Course, args: argparse.Namespace) -> int:
    spec, _, check = (args.exercise or "").partition("::")
    if spec.endswith(".ipynb"):
        return _run_notebook(course, Path(spec), check or None)
    standing = Standing(course)
    color = course_view.use_color()
    if check:
        return _show(standing.fresh([course.catalog.find(spec).name], only=check), color, course)
    if spec:
        name, submission = course.catalog.find(spec).name, None
    else:
        name, submission = standing.first_unfinished()
        if not name:
            print(course_view.render_line(course_view.next_step(""), color), end="")
            return EXIT_OK
    submission = submission or standing.grade(name)
    code = _show(submission, color, course)
    upcoming = standing.upcoming(name)
    print(course_view.render_outcome(submission.score_of(name), upcoming, NEXT, color), end="")
    return code


def _show(submission: Submission, color: bool, course: Course | None = None) -> int:
    """The report, and which file was graded where that is a notebook (`course`: the learner's exercises)."""
    from grader.learner.notebooks import work

    print(terminal.render(submission, details=True, color=color), end="")
    if course is not None:
        for note in work.notes(course, submission):
            print(note)
    return EXIT_OK if all(c.status in (Status.PASSED, Status.SKIPPED) for c in submission.checks) else EXIT_NOT_PASSED


def _run_notebook(course: Course, notebook: Path, check: str | None) -> int:
    """Grade the notebook's tagged cells as the module of its exercise, without a kernel."""
    from grader.core.session import Target
    from grader.learner.notebooks import stage as notebooks
    from grader.learner.runner import Runner

    if not notebook.is_file():
        raise FileNotFoundError(f"no such notebook: {notebook}")
    with tempfile.TemporaryDirectory(prefix="torchdrill-notebook-") as folder:
        try:
            module = notebooks.stage(notebook, Path(folder))
        except notebooks.NotebookError as error:
            print(f"torchdrill: {notebook}: {error}", file=sys.stderr)
            return EXIT_USAGE
        name = course.catalog.find(module.stem).name
        runner = Runner(course, Target(str(notebook), Path(folder)))
        return _show(runner.grade([name], only=check), course_view.use_color())
