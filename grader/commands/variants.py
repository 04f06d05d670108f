"""`variants [EX...]`: prove the suites: known mistakes fail, alternatives pass."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from grader.core.course import Course
from grader.commands import EXIT_NOT_PASSED, EXIT_OK, EXIT_USAGE

HELP = "prove the suites: known mistakes fail, alternatives pass"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercises", nargs="*", help="exercise names or prefixes (default: all)")
    parser.add_argument(
        "--salts", type=int, default=1, metavar="N",
        help="also grade the hidden checks under N-1 other course secrets: each must give the same verdicts",
    )  # fmt: skip


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.authoring import variants
    from grader.core import determinism
    from grader.core.references import References

    names = [course.catalog.find(query).name for query in args.exercises] if args.exercises else None
    found = variants.discover(course, names)
    if not found:
        print("no variants found under tests/variants/", file=sys.stderr)
        return EXIT_USAGE
    determinism.configure_process()
    references = References(course.solutions)
    failures = 0
    for variant in found:
        with tempfile.TemporaryDirectory() as folder:
            report = variants.run(course, variant, Path(folder), references, salts=max(1, args.salts))
        failures += not report.ok
        print(f"{'ok  ' if report.ok else 'FAIL'} {variant.label}")
        for problem in report.problems:
            print(f"       {problem}")
    print(f"{len(found) - failures} of {len(found)} variants behave as declared")
    return EXIT_NOT_PASSED if failures else EXIT_OK
