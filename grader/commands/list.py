"""`list`: every exercise in catalog order with its state, points, and the course's progress."""

from __future__ import annotations

import argparse

from grader.learner import views as course_view
from grader.core.course import Course
from grader.commands import EXIT_NOT_PASSED, EXIT_OK
from grader.learner.standing import Standing

HELP = "every exercise with its state (done, failing, not started), its points, and your progress"
EPILOG = """\
Verdicts still true in results.json are reused; changed exercises are graded now.
Each exercise is graded from exercises/EX.py, or from notebooks/EX.ipynb when that
holds your work and was saved after it (the output says so).

exit status: 0 every exercise is done, 1 some are not, 2 usage error, 3 internal error"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.learner.notebooks import work

    submission = Standing(course).verdicts(course.catalog.names)
    print(course_view.render_list(course.catalog, submission, course_view.use_color()), end="")
    for note in work.notes(course, submission):
        print(note)
    return EXIT_OK if all(s.state == "done" for s in submission.exercises()) else EXIT_NOT_PASSED
