"""`gradescope`: build the Gradescope autograder zip, or (inside it) grade one submission."""

from __future__ import annotations

import argparse
import traceback
from pathlib import Path

from grader.core.course import Course
from grader.commands import EXIT_INTERNAL, EXIT_OK

HELP = "build the Gradescope autograder zip (setup.sh, run_autograder, the course)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=Path("dist/gradescope-autograder.zip"), help="the zip (default: %(default)s)"
    )
    parser.add_argument(
        "--secret", help="course secret for hidden checks (default: $TORCHDRILL_SECRET or .torchdrill/course-secret)"
    )
    parser.add_argument(
        "--autograde",
        action="store_true",
        help="grade one submission in the Gradescope layout (what run_autograder does)",
    )
    parser.add_argument(
        "--root", type=Path, help="with --autograde: the layout's root (default: $AUTOGRADER_ROOT or /autograder)"
    )
    parser.add_argument(
        "--sandbox",
        choices=("auto", "bwrap", "none"),
        default="auto",
        help="with --autograde: as for `class` (default: auto)",
    )


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.authoring import gradescope, gradescope_bundle
    from grader.classroom import grading

    if args.autograde:
        layout = args.root or gradescope.autograder_root()
        try:
            submission = gradescope.autograde(course, layout, args.sandbox)
        except Exception as error:  # noqa: BLE001 - the learner still gets a results.json that says so
            traceback.print_exc()  # into Gradescope's log, which only the instructor sees
            gradescope.write_failure(layout, error)
            return EXIT_INTERNAL
        print(f"graded {submission.learner}: {submission.points:g}/{submission.max_points:g}")
        return EXIT_OK
    secret = grading.course_secret(course, args.secret)
    names = gradescope_bundle.build(course, args.out, secret)
    print(f"wrote {args.out} ({len(names)} files): upload it as the autograder of a Gradescope programming assignment")
    print(
        f"hidden checks are seeded by the course secret {grading.secret_id(secret)} and each learner's Gradescope id"
    )
    return EXIT_OK
