"""`variants [EX...]`: prove the suites: known mistakes fail, alternatives pass."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from grader import catalog
from grader.exitcodes import EXIT_NOT_PASSED, EXIT_OK, EXIT_USAGE

HELP = "prove the suites: known mistakes fail, alternatives pass"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercises", nargs="*", help="exercise names or prefixes (default: all)")


def run(root: Path, args: argparse.Namespace) -> int:
    from grader import determinism, variants
    from grader.grading import References

    course = catalog.load(root)
    names = [course.find(query).name for query in args.exercises] if args.exercises else None
    found = variants.discover(root, names)
    if not found:
        print("no variants found under tests/variants/", file=sys.stderr)
        return EXIT_USAGE
    determinism.configure_process()
    references = References(root / "solutions")
    failures = 0
    for variant in found:
        with tempfile.TemporaryDirectory() as folder:
            report = variants.run(root, variant, Path(folder), references)
        failures += not report.ok
        print(f"{'ok  ' if report.ok else 'FAIL'} {variant.label}")
        for problem in report.problems:
            print(f"       {problem}")
    print(f"{len(found) - failures} of {len(found)} variants behave as declared")
    return EXIT_NOT_PASSED if failures else EXIT_OK
