"""`class SUBMISSIONS --out RESULTS`: grade a whole class of untrusted submissions."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from grader.core.course import Course
from grader.commands import EXIT_INTERRUPTED, EXIT_OK

HELP = "grade a class: one sub-folder per learner, sandboxed, in parallel, resumable"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path, help="folder with one sub-folder per learner (its name is the learner id)")
    parser.add_argument("--out", type=Path, default=Path("build/class-results"), help="results folder (default: build/class-results)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="grading processes (default: cores)")
    parser.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto", help="auto: bubblewrap when it works (default)")
    parser.add_argument("--secret", help="course secret for hidden checks (default: $TORCHDRILL_SECRET or .torchdrill/course-secret)")
    parser.add_argument("--force", action="store_true", help="regrade every learner, even unchanged ones")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="override every check's time limit")
    parser.add_argument("--learner-timeout", type=float, default=900.0, metavar="SECONDS", help="time for one learner's whole submission")
    parser.add_argument("--exercises", nargs="+", metavar="EX", help="grade only these exercises")


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.classroom import grading, sandbox
    from grader.classroom.views import ProgressView, final_table

    catalog = course.catalog
    exercises = tuple(catalog.find(q).name for q in args.exercises) if args.exercises else tuple(catalog.names)
    mode = sandbox.resolve_mode(args.sandbox)
    if mode is sandbox.SandboxMode.NONE:
        print(
            "WARNING: grading WITHOUT a sandbox (bubblewrap is not available). Learner code runs with only\n"
            "rlimits, process groups and a private working folder: it can read files this user can read and\n"
            "reach the network. Install bubblewrap (apt-get install bubblewrap) before grading untrusted code.",
            file=sys.stderr,
        )
    options = grading.Options(
        submissions=args.submissions,
        out=args.out,
        jobs=max(1, args.jobs),
        sandbox=mode,
        secret=grading.course_secret(course, args.secret),
        exercises=exercises,
        timeout=args.timeout,
        learner_timeout=args.learner_timeout,
        force=args.force,
    )
    with ProgressView() as view:
        result = grading.grade_class(course, options, view.update)
    print(final_table(result, args.out))
    if result.interrupted:
        print("interrupted: the learners graded so far are saved; run the same command again to finish", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK
