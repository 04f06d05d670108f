"""`prairielearn`: write the PrairieLearn course folders, or (inside a grading job) grade one submission."""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from grader.commands import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE
from grader.core.course import Course

HELP = "write PrairieLearn's serverFilesCourse/torchdrill and one externally graded question per exercise"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=Path("dist/prairielearn"), help="where to write (a PrairieLearn course repository works; default: %(default)s)"
    )
    parser.add_argument(
        "--image",
        default="",
        help="the grading image as PrairieLearn pulls it (YOU/torchdrill-grader): built from the Dockerfile written beside the course",
    )
    parser.add_argument(
        "--time-limit", type=int, default=120, help="seconds per grading job (PrairieLearn allows at most 600; default: %(default)s)"
    )
    parser.add_argument(
        "--secret", help="course secret for hidden checks (default: $TORCHDRILL_SECRET or .torchdrill/course-secret)"
    )
    parser.add_argument(
        "--autograde",
        metavar="EXERCISE",
        help="inside a grading job: grade EXERCISE of /grade/student, write /grade/results/results.json (what run.sh does)",
    )
    parser.add_argument("--root", type=Path, help="with --autograde: the layout's root (default: $TORCHDRILL_GRADE_ROOT or /grade)")
    parser.add_argument(
        "--sandbox", choices=("auto", "bwrap", "none"), default="auto", help="with --autograde: as for `class` (default: auto)"
    )


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.authoring import prairielearn, prairielearn_bundle
    from grader.classroom import grading

    if args.autograde is not None:
        layout = args.root or prairielearn.grade_root()
        try:
            results = prairielearn.autograde(course, layout, args.autograde, args.time_limit, args.sandbox)
        except Exception as error:  # noqa: BLE001 - the learner still gets a results.json that says so
            traceback.print_exc()  # into the grading job's log, which course staff read
            try:
                prairielearn.write_failure(layout, error)
            except OSError:
                return EXIT_INTERNAL  # run.sh writes its own stand-in
            return EXIT_OK  # PrairieLearn reads results.json only after an exit status of 0
        print(f"graded {args.autograde}: {results.get('message', '')}")
        return EXIT_OK
    if not args.image:
        print(
            "torchdrill: give --image NAME, the grading image as PrairieLearn will pull it (for instance "
            "you/torchdrill-grader on Docker Hub): build it from the Dockerfile this command writes (docs/prairielearn.md)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    secret = grading.course_secret(course, args.secret)
    try:
        built = prairielearn_bundle.build(
            course, args.out, secret, grading.secret_id(secret), args.image, args.time_limit
        )
    except (ValueError, FileExistsError) as error:
        print(f"torchdrill: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {built.course} and {len(built.questions)} questions in {built.questions[0].parent} ({built.files} files)")
    print(f"next: docker build -t {args.image} {built.course} && docker push {args.image}; commit both folders and sync")
    print(f"hidden checks are seeded by the course secret {grading.secret_id(secret)} and each question variant's seed")
    return EXIT_OK
