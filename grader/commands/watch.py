"""`watch`: re-grade the exercise you save, and move on to the next one when it is done."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader import catalog, course_view
from grader.exitcodes import EXIT_OK

HELP = "re-grade the exercise you save, in a warm process; moves on when one is done (Ctrl-C stops)"
EPILOG = """\
torch is imported once; each save is graded in fresh child processes, so a
file saved mid-edit (even with a syntax error) only gives a failing verdict.

exit status: 0 stopped with Ctrl-C, 2 usage error, 3 internal error"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run(root: Path, args: argparse.Namespace) -> int:
    from grader import watching

    watching.watch(root, catalog.load(root), color=course_view.use_color())
    return EXIT_OK
