"""`mutants [EX...] [--sample N] [--jobs J]`: how many small faults in the solutions the checks catch."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from grader.core.course import Course
from grader.commands import EXIT_NOT_PASSED, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from grader.authoring.killing import ExerciseReport

HELP = "mutation testing: the share of small faults in the solutions that the checks catch"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {text}")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercises", nargs="*", help="exercise names or prefixes (default: all, in catalog order)")
    parser.add_argument("--sample", type=_positive, metavar="N", help="grade N mutants per exercise (the same ones every run)")
    parser.add_argument("-j", "--jobs", type=_positive, default=1, help="grade mutants in J parallel processes")


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.authoring import killing
    from grader.core import determinism
    from grader.core.references import References

    if not course.has_solutions:
        print("torchdrill: mutants are made from solutions/, which this course does not have", file=sys.stderr)
        return EXIT_USAGE
    catalog = course.catalog
    names = [catalog.find(query).name for query in args.exercises] if args.exercises else catalog.names
    determinism.configure_process()
    references = References(course.solutions)
    started = time.monotonic()
    reports = []
    for name in names:
        print(f"{name}: ", end="", flush=True)
        with tempfile.TemporaryDirectory(prefix="torchdrill-mutants-") as folder:
            report = killing.grade_exercise(course, name, references, Path(folder), args.sample, args.jobs)
        print(f"{len(report.graded)} mutants graded in {report.seconds:.1f} s", flush=True)
        reports.append(report)
    print()
    _table(reports)
    for report in reports:
        _details(report)
    below = [r.exercise for r in reports if not r.passes]
    print(f"\n{len(reports)} exercise(s) in {time.monotonic() - started:.1f} s", end="")
    print(f"; below {killing.THRESHOLD:.0%}: {', '.join(below)}" if below else f"; every one kills at least {killing.THRESHOLD:.0%}")
    return EXIT_NOT_PASSED if below else EXIT_OK


def _table(reports: list[ExerciseReport]) -> None:
    from grader.authoring.killing import Fate

    width = max(len("exercise"), *(len(r.exercise) for r in reports))
    print(f"{'exercise':<{width}}  mutants  killed  equivalent  survivors  kill rate")
    for r in reports:
        counts = f"{len(r.graded):>7}  {r.count(Fate.KILLED):>6}  {r.count(Fate.EQUIVALENT):>10}  {len(r.survivors):>9}"
        print(f"{r.exercise:<{width}}  {counts}  {r.rate:>9.1%}{'' if r.passes else '  <- below'}")


def _details(report: ExerciseReport) -> None:
    """Each survivor (id, description, the line before and after), then the report's problems."""
    if not report.survivors and not report.broken and not report.problems:
        return
    print(f"\n{report.exercise}: {len(report.survivors)} survivor(s)")
    for graded in report.survivors:
        mutant = graded.mutant
        reason = f" ({graded.by})" if graded.by else ""
        print(f"  {mutant.id}: {mutant.description}{reason}")
        print(f"    L{mutant.line} - {mutant.before}")
        print(f"    L{mutant.line} + {mutant.after}")
    for problem in report.broken + report.problems:
        print(f"  problem: {problem}")
