"""`grade [EX...]`: grade exercises through pytest and print the score table."""

from __future__ import annotations

import argparse

from grader.core.course import Course
from grader.commands import EXIT_INTERNAL, EXIT_USAGE

HELP = "grade exercises and print the score table"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercises", nargs="*", help="exercise names or prefixes (default: all, in catalog order)")
    parser.add_argument("--target", default="exercises", help="exercises (default), solutions, or a folder")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON (default: results.json)")
    parser.add_argument("--details", action="store_true", help="show every check with its message")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="override every check's time limit")
    parser.add_argument("-k", metavar="EXPRESSION", help="only checks whose name matches (pytest -k)")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="grade in N parallel processes (pytest-xdist)")
    parser.add_argument("--gpu", choices=("auto", "require"), default="auto", help="require: no CUDA fails gpu checks")


def run(course: Course, args: argparse.Namespace) -> int:
    import pytest

    catalog = course.catalog
    chosen = [catalog.find(query) for query in args.exercises] if args.exercises else list(catalog.exercises)
    suites = [course.suite(exercise.name) for exercise in chosen]
    missing = [str(s) for s in suites if not s.is_file()]
    if missing:
        raise FileNotFoundError(f"no graded suite: {', '.join(missing)}")
    pytest_args = [
        *map(str, suites),
        f"--rootdir={course.root}",
        f"--target={args.target}",
        f"--results-json={args.json or course.results_file}",
        f"--gpu={args.gpu}",
        "-p", "no:cacheprovider",
        # The score table and its summary say what pytest's progress and counts would (`--score-only`).
        "-qq", "--no-header", "--tb=no", "-rN", "-o", "console_output_style=classic", "--score-only",
    ]
    if args.details:
        pytest_args.append("--details")
    if args.timeout is not None:
        pytest_args.append(f"--check-timeout={args.timeout}")
    if args.k:
        pytest_args += ["-k", args.k]
    if args.jobs > 1:
        pytest_args += ["-n", str(args.jobs), "--dist", "loadfile"]  # a file's checks share a child
    code = pytest.main(pytest_args)
    if code in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return int(code)
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED):
        return EXIT_USAGE
    return EXIT_INTERNAL
