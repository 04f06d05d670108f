"""`report RESULTS --out DIR [--roster FILE]`: HTML pages, gradebooks and Gradescope JSON of a graded class."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.core.course import Course
from grader.commands import EXIT_OK, EXIT_USAGE

HELP = "HTML reports, CSV gradebooks (LMS imports with --roster) and Gradescope JSON from a class results folder"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", help="a class results folder, as written by `grader class`")
    parser.add_argument("--out", required=True, metavar="DIR", help="where to write the report")
    parser.add_argument(
        "--roster",
        type=Path,
        metavar="CSV",
        help="learner folder -> LMS identifiers (docs/reports.md): also write Canvas, Moodle and Blackboard imports",
    )
    parser.add_argument(
        "--submissions",
        type=Path,
        metavar="DIR",
        help="the class folder that was graded (one sub-folder per learner): also compare each exercise's files across the class",
    )


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.authoring.report import build, loading, roster, similarity

    results_folder = Path(args.results)
    if not results_folder.is_dir():
        print(
            f"torchdrill: {results_folder}: no such results folder. Grade the class first:\n"
            f"  python -m grader class SUBMISSIONS --out {results_folder}   (make class SUBMISSIONS=... RESULTS={results_folder})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    catalog = course.catalog
    titles = {exercise.name: exercise.title for exercise in catalog.exercises}
    try:
        people = roster.read(args.roster) if args.roster else None
        results = loading.load(results_folder, catalog.names, titles)
    except ValueError as error:  # a results file that is not JSON, or not results; a roster not as documented
        print(f"torchdrill: {error}", file=sys.stderr)
        return EXIT_USAGE
    similar = None
    if args.submissions is not None:
        try:
            stubs = {name: course.stub(name) for name in results.exercises if name in catalog.names}
            similar = similarity.class_similarity(args.submissions, list(stubs), stubs)
        except FileNotFoundError as error:
            print(f"torchdrill: {error} (--submissions: the class folder that was graded)", file=sys.stderr)
            return EXIT_USAGE
    written = build.build(results, Path(args.out), people, similar)
    out = written.class_page.parent
    print(f"class page:    {written.class_page}")
    print(f"learner pages: {len(written.learner_pages)} in {out / 'learners'} (yours: hidden checks' messages included)")
    print(f"handouts:      {len(written.handouts)} in {out / 'handouts'} (for the learners)")
    print(f"gradebook:     {written.gradebook}")
    if written.lms is None:
        print("LMS imports:   none (give --roster roster.csv for Canvas, Moodle and Blackboard files: docs/reports.md)")
    else:
        print(f"LMS imports:   {', '.join(str(path) for path in written.lms.files.values())}")
        for note in written.lms.notes:
            print(f"  note: {note}")
    print(f"gradescope:    {len(written.gradescope)} results.json in {out / build.GRADESCOPE}")
    if similar is None:
        print("similar code:  not compared (give --submissions, the class folder that was graded)")
    else:
        standing_out = sum(len(found.pairs) for found in similar)
        exercises = sum(1 for found in similar if found.pairs)
        print(f"similar code:  pairs that stand out: {standing_out}, in {exercises} of {len(similar)} exercises (the class page shows them)")
    return EXIT_OK
