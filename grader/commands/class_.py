"""`class SUBMISSIONS --out RESULTS`: grade a whole class of untrusted submissions."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from grader.classroom.shards import Shard
from grader.core.course import Course
from grader.commands import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

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
    parser.add_argument(
        "--shard", type=_shard, metavar="K/N", help="grade only shard K of N (a share of the learners; join the folders with merge)"
    )
    parser.add_argument(
        "--devices", nargs="+", default=(), metavar="DEV",
        help="a lane: grade only the runs on these devices (--devices cuda on a GPU machine); merge joins the lanes",
    )  # fmt: skip


def _shard(spec: str) -> Shard:
    """--shard K/N, refused by argparse with the reason (a usage error)."""
    try:
        return Shard.parse(spec)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.classroom import grading, sandbox
    from grader.classroom.views import ProgressView, final_table

    catalog = course.catalog
    exercises = tuple(catalog.find(q).name for q in args.exercises) if args.exercises else tuple(catalog.names)
    lane = tuple(sorted(set(args.devices)))
    if lane and (refusal := grading.lane_refusal(grading.load_checks(course, exercises), lane)):
        print(f"torchdrill: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    if (args.shard or lane) and not grading.secret_is_set(course, args.secret):
        print(
            "torchdrill: the machines that grade shards or lanes of one class need the same course secret, and none is set\n"
            "here (each machine would make its own, and the merge would refuse their folders): give it with --secret or\n"
            "$TORCHDRILL_SECRET (docs/scale.md)",
            file=sys.stderr,
        )
        return EXIT_USAGE
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
        shard=args.shard,
        devices=lane,
    )
    with ProgressView() as view:
        result = grading.grade_class(course, options, view.update)
    print(final_table(result, args.out))
    if args.shard or lane:
        part = " and ".join(filter(None, (args.shard and f"shard {args.shard} of the learners", lane and f"the {'+'.join(lane)} lane")))
        print(f"{args.out}/ holds {part}: join it with the other folders with python -m grader merge FOLDER... --out RESULTS")
    if result.interrupted:
        print("interrupted: the learners graded so far are saved; run the same command again to finish", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK
