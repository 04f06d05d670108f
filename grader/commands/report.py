"""`report RESULTS --out DIR`: HTML pages, CSV gradebook and Gradescope JSON of a graded class."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.core.course import Course
from grader.commands import EXIT_OK, EXIT_USAGE

HELP = "HTML reports, a CSV gradebook and Gradescope JSON from a class results folder"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", help="a class results folder, as written by `grader class`")
    parser.add_argument("--out", required=True, metavar="DIR", help="where to write the report")


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.authoring.report import build, loading

    catalog = course.catalog
    titles = {exercise.name: exercise.title for exercise in catalog.exercises}
    try:
        results = loading.load(Path(args.results), catalog.names, titles)
    except ValueError as error:  # a results file that is not JSON, or not results
        print(f"torchdrill: {error}", file=sys.stderr)
        return EXIT_USAGE
    written = build.build(results, Path(args.out))
    print(f"class page:    {written.class_page}")
    print(f"learner pages: {len(written.learner_pages)} in {written.class_page.parent / 'learners'}")
    print(f"gradebook:     {written.gradebook}")
    print(f"gradescope:    {len(written.gradescope)} results.json in {written.class_page.parent / build.GRADESCOPE}")
    return EXIT_OK
