"""`generate`: write exercises/ from solutions/ (the stubs)."""

from __future__ import annotations

import argparse

from grader.authoring import generate
from grader.core.course import Course
from grader.commands import report_check, report_written

HELP = "write exercises/ from solutions/ (stubs)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report stale stubs; exit 1 if any")


def run(course: Course, args: argparse.Namespace) -> int:
    if args.check:
        return report_check([str(path.relative_to(course.root)) for path in generate.stale(course)], "generate")
    return report_written(generate.generate(course), course.root, "stub file(s)", "exercises")
