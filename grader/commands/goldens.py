"""`goldens [--check]`: record the reference outcomes of the visible checks into goldens/."""

from __future__ import annotations

import argparse
import sys

from grader.core.course import Course
from grader.commands import EXIT_USAGE, report_check, report_written

HELP = "record the visible checks' reference outcomes from solutions/ into goldens/ (for the release)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report stale goldens; exit 1 if any")


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.authoring import goldens
    from grader.core import determinism

    if not course.has_solutions:
        print("torchdrill: goldens are recorded from solutions/, which this course does not have", file=sys.stderr)
        return EXIT_USAGE
    determinism.configure_process()
    if args.check:
        return report_check([f"goldens/{problem}" for problem in goldens.stale(course)], "goldens")
    return report_written(goldens.write(course), course.root, "golden file(s)", "goldens")
