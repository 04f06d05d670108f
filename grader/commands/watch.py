"""`watch`: re-grade the exercise you save, and move on to the next one when it is done."""

from __future__ import annotations

import argparse

from grader.learner import views as course_view
from grader.core.course import Course
from grader.commands import EXIT_OK

HELP = "re-grade the exercise you save, in a warm process; moves on when one is done (q or Ctrl-C stops)"
EPILOG = """\
torch is imported once; each save is graded in fresh child processes, so a
file saved mid-edit (even with a syntax error) only gives a failing verdict.
Each verdict redraws the screen, the first check to fix at the top.

keys (in a terminal): h the next hint, l the course list, n the next exercise,
r grade again, q quit

exit status: 0 stopped with q or Ctrl-C, 2 usage error, 3 internal error"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.learner import watch

    watch.watch(course, color=course_view.use_color())
    return EXIT_OK
