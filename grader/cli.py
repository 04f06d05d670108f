"""Command line: `python -m grader COMMAND` (also installed as `torchdrill`).

Exit codes, stable for scripts and CI:
  0  every selected check passed (or the command succeeded)
  1  grading ran, and some check did not pass (or `generate --check` found stale stubs)
  2  usage error: unknown exercise or option, missing folder, nothing to grade
  3  internal error of the grader
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader import authoring, catalog

EXIT_OK, EXIT_NOT_PASSED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def project_root(start: Path | None = None) -> Path:
    """The nearest folder, from the working directory up, that holds the catalog."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / catalog.CATALOG_FILE).is_file():
            return folder
    return Path(__file__).resolve().parents[1]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="torchdrill", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade exercises and print the score table")
    grade.add_argument("exercises", nargs="*", help="exercise names or prefixes (default: all, in catalog order)")
    grade.add_argument("--target", default="exercises", help="exercises (default), solutions, or a folder")
    grade.add_argument("--json", metavar="PATH", help="write the results as JSON (default: results.json)")
    grade.add_argument("--details", action="store_true", help="show every check with its message")
    grade.add_argument("--timeout", type=float, metavar="SECONDS", help="override every check's time limit")
    grade.add_argument("-k", metavar="EXPRESSION", help="only checks whose name matches (pytest -k)")
    grade.add_argument("-j", "--jobs", type=int, default=1, help="grade in N parallel processes (pytest-xdist)")
    grade.add_argument("--gpu", choices=("auto", "require"), default="auto", help="require: no CUDA fails gpu checks")

    generate = commands.add_parser("generate", help="write exercises/ from solutions/ (stubs)")
    generate.add_argument("--check", action="store_true", help="only report stale stubs; exit 1 if any")

    variants = commands.add_parser("variants", help="prove the suites: known mistakes fail, alternatives pass")
    variants.add_argument("exercises", nargs="*", help="exercise names or prefixes (default: all)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = project_root()
    try:
        if args.command == "grade":
            return grade(root, args)
        if args.command == "variants":
            return check_variants(root, args.exercises)
        return generate(root, args.check)
    except (KeyError, FileNotFoundError, authoring.AuthoringError) as error:
        print(f"torchdrill: {error.args[0] if error.args else error}", file=sys.stderr)
        return EXIT_USAGE


def grade(root: Path, args: argparse.Namespace) -> int:
    import pytest

    course = catalog.load(root)
    chosen = [course.find(query) for query in args.exercises] if args.exercises else list(course.exercises)
    suites = [root / "tests" / exercise.suite for exercise in chosen]
    missing = [str(s) for s in suites if not s.is_file()]
    if missing:
        raise FileNotFoundError(f"no graded suite: {', '.join(missing)}")
    pytest_args = [
        *map(str, suites),
        f"--rootdir={root}",
        f"--target={args.target}",
        f"--results-json={args.json or root / 'results.json'}",
        f"--gpu={args.gpu}",
        "-p", "no:cacheprovider",
        "-q", "--no-header", "--tb=no", "-rN",
    ]
    if args.details:
        pytest_args.append("--details")
    if args.timeout is not None:
        pytest_args.append(f"--check-timeout={args.timeout}")
    if args.k:
        pytest_args += ["-k", args.k]
    if args.jobs > 1:
        pytest_args += ["-n", str(args.jobs)]
    code = pytest.main(pytest_args)
    if code in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return int(code)
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED):
        return EXIT_USAGE
    return EXIT_INTERNAL


def generate(root: Path, check_only: bool) -> int:
    if check_only:
        stale = authoring.stale(root)
        for path in stale:
            print(f"stale: {path.relative_to(root)} (run: python -m grader generate)")
        return EXIT_NOT_PASSED if stale else EXIT_OK
    changed = authoring.generate(root)
    for path in changed:
        print(f"wrote {path.relative_to(root)}")
    print(f"{len(changed)} stub file(s) written" if changed else "exercises/ is up to date")
    return EXIT_OK


def check_variants(root: Path, queries: list[str]) -> int:
    import tempfile

    from grader import determinism, variants
    from grader.grading import References

    course = catalog.load(root)
    names = [course.find(query).name for query in queries] if queries else None
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
