"""`variants [EX...]`: prove the suites: known mistakes fail, alternatives pass; and measure what the learner reads.

After the verdicts: the share of failing checks of known mistakes whose message or
diagnosis names the mistake (as each variant's DIAGNOSIS declares it), per exercise,
then every wrong diagnosis and every failing check that DIAGNOSIS does not cover.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from typing import TYPE_CHECKING

from grader.core.course import Course
from grader.commands import EXIT_NOT_PASSED, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from grader.authoring.variants import VariantReport

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
    reports = []
    for variant in found:
        with tempfile.TemporaryDirectory() as folder:
            report = variants.run(course, variant, Path(folder), references, salts=max(1, args.salts))
        reports.append(report)
        print(f"{'ok  ' if report.ok else 'FAIL'} {variant.label}")
        for problem in report.problems:
            print(f"       {problem}")
    failures = sum(not report.ok for report in reports)
    print(f"{len(found) - failures} of {len(found)} variants behave as declared")
    _print_share(reports)
    return EXIT_NOT_PASSED if failures else EXIT_OK


def _print_share(reports: list[VariantReport]) -> None:
    from grader.authoring.variants import Naming, diagnosis_share

    share = diagnosis_share(reports)
    total = share.total
    failing = sum(total.values())
    if not failing:
        return
    named, wrong = total[Naming.NAMED], total[Naming.WRONG]
    print(
        f"diagnoses: {named} of {failing} failing checks of known mistakes name the mistake "
        f"({100 * named / failing:.1f}%), {wrong} wrong"
    )
    for exercise, counts in share.counts.items():
        if counts:
            print(f"  {exercise:24} {counts[Naming.NAMED]:3} of {sum(counts.values()):3}")
    for kind in (Naming.WRONG, Naming.UNDECLARED):
        listed = [(r, name) for r in reports for name, naming in r.namings.items() if naming is kind]
        if listed:
            print(f"{kind} ({len(listed)}):")
        for report, name in listed:
            print(f"  {report.variant.label} :: {name}")
