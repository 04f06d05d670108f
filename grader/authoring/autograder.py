"""What every autograding platform shares: the course it grades with, one submission graded, each check's feedback.

A platform (Gradescope: `grader.authoring.gradescope`; PrairieLearn:
`grader.authoring.prairielearn`) runs the grader once per submission, in a
container of its own, and reads a results file in its own format. Everything but
that format and the platform's layout lives here, once:

- `course_files`: the course an autograder grades with (the grader package without
  its self-tests, the complete graded suites, hidden checks included, the solutions,
  which hidden checks need as references, the catalog, the data, the packaging
  files). The course secret is written beside them by each bundle;
- `grade_folder`: one submission folder graded as a class of one
  (`grader.classroom.grading`: allow-listed files only, learner code in a sandboxed
  worker that never sees `solutions/`, hidden checks seeded by the course secret
  and the learner's id on the platform);
- `feedback`: what a learner may read of one check: a visible check's message,
  likely cause and printed output; a hidden check's status alone (its message
  could describe its random inputs); a skipped check's reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from grader.core.course import Course
from grader.core.results import CheckResult, Status, Submission

COURSE_FILES = ("catalog.toml", "conftest.py", "pyproject.toml", "requirements.lock", "README.md")
COURSE_DIRS = ("grader", "solutions", "data")
LEFT_OUT = ("__pycache__", "tests")  # folder names not shipped inside COURSE_DIRS (grader/tests: self-tests)
SECRET = Course(Path(".")).secret_file.as_posix()  # where a bundle's course keeps it
SECRET_VARIABLE = "TORCHDRILL_SECRET"
STATUS_TEXT = {
    "passed": "passed",
    "failed": "failed",
    "error": "error: your code raised an exception",
    "timeout": "timeout: stopped at the time limit",
    "crashed": "crashed: the process running your code died",
    "not_started": "not started: the stub still raises NotImplementedError",
}
HIDDEN_NOTE = "(hidden check: its inputs and values are not shown)"


# --- the course an autograder grades with ---------------------------------------------------


def course_files(course: Course) -> dict[str, Path]:
    """Name inside the bundle -> file, for every file of the course an autograder needs, except the secret."""
    root = course.root
    files = {name: root / name for name in COURSE_FILES if (root / name).is_file()}
    files |= {f"tests/{p.name}": p for p in course.suite_files()}
    for folder in COURSE_DIRS:
        for path in sorted((root / folder).rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and path.suffix != ".pyc" and not set(relative.parts[1:-1]) & set(LEFT_OUT):
                files[relative.as_posix()] = path
    return files


def installed_secret(course: Course) -> str:
    """The secret the bundle was built with: $TORCHDRILL_SECRET, else the bundle's secret file.

    Never made here (class grading makes one when a course has none): an autograder
    that made its own would draw every learner's hidden inputs from a secret nobody
    keeps, and a regrade would meet other ones.
    """
    if os.environ.get(SECRET_VARIABLE):
        return os.environ[SECRET_VARIABLE]
    try:
        secret = course.secret_file.read_text().strip()
    except OSError:
        secret = ""
    if not secret:
        raise FileNotFoundError(
            f"no course secret in {course.secret_file}: rebuild the autograder bundle (it writes one), or set {SECRET_VARIABLE}"
        )
    return secret


# --- grading one submission -------------------------------------------------------------------


def grade_folder(
    course: Course,
    folder: Path,
    learner: str,
    exercises: tuple[str, ...],
    sandbox_mode: str = "auto",
    learner_timeout: float | None = None,
) -> Submission:
    """Grade the files in `folder` as the class of one learner `learner` (hidden checks seeded by that id)."""
    from grader.classroom import grading, sandbox
    from grader.classroom.records import ResultsFolder

    with tempfile.TemporaryDirectory(prefix="torchdrill-autograde-") as work:
        submissions = Path(work) / "submissions"
        # A class of one; links are copied as links, and staging refuses those that leave the folder.
        shutil.copytree(folder, submissions / learner, symlinks=True)
        options = grading.Options(
            submissions=submissions,
            out=Path(work) / "results",
            jobs=1,
            sandbox=sandbox.resolve_mode(sandbox_mode),
            secret=installed_secret(course),
            exercises=exercises,
        )
        if learner_timeout is not None:  # the platform's own time limit, less the time to start and report
            options = replace(options, learner_timeout=learner_timeout)
        grading.grade_class(course, options)
        submission = ResultsFolder(options.out).read_learner(learner)
    if options.sandbox is sandbox.SandboxMode.NONE:
        print("WARNING: learner code ran without bubblewrap (not requested, or not working in this container)")
    return submission


# --- what a learner reads of one check ---------------------------------------------------------


@dataclass(frozen=True)
class Feedback:
    """One check, for the learner: `message` (status, what differs, likely cause) and what their code printed."""

    message: str
    printed: str = ""


def feedback(check: CheckResult) -> Feedback:
    if check.status is Status.SKIPPED:  # the skip policy's reason (no GPU), never the check's values
        return Feedback(f"skipped, not counted: {check.message}")
    if check.hidden:  # the status alone: a hidden check's message could describe its random inputs
        return Feedback(f"{STATUS_TEXT[check.status]} {HIDDEN_NOTE}")
    parts = [] if check.status in (Status.PASSED, Status.FAILED) else [STATUS_TEXT[check.status]]
    if check.message:
        parts.append(check.message)
    if check.diagnosis:
        parts.append(f"likely cause: {check.diagnosis}")
    return Feedback("\n".join(parts), check.output)


def closing_lines(submission: Submission) -> list[str]:
    """The end of a platform's summary: the skipped runs (not counted) and the submission's notes."""
    skipped = [c for c in submission.checks if c.status is Status.SKIPPED]
    lines = [f"skipped, not counted: {len(skipped)} (the tests marked skipped say why)"] if skipped else []
    return lines + [f"note: {note}" for note in submission.notes]


def scored(submission: Submission) -> list[CheckResult]:
    """The checks that count (a skipped one is worth nothing where it was not run)."""
    return [c for c in submission.checks if c.status is not Status.SKIPPED]


def number(value: float) -> float | int:
    """A score as JSON shows it best: 2 rather than 2.0, at most four decimals."""
    return int(value) if float(value).is_integer() else round(value, 4)
