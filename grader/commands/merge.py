"""`merge FOLDER... --out RESULTS`: join the results folders of class shards and lanes into one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.core.course import Course
from grader.commands import EXIT_NOT_PASSED, EXIT_OK, EXIT_USAGE

HELP = "join class results folders (shards: class --shard, lanes: class --devices) into one"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folders", nargs="+", type=Path, help="results folders of class runs (shards, lanes, earlier merges)")
    parser.add_argument("--out", type=Path, required=True, help="the merged results folder (replaced if it holds class results)")
    parser.add_argument(
        "--submissions", type=Path, metavar="SUBMISSIONS", help="the class's folder: report its learners that no folder holds"
    )


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.classroom import grading
    from grader.classroom.merging import MergeRefused, lane_name, merge

    expected = [folder.name for folder in grading.learner_folders(args.submissions)] if args.submissions else None
    try:
        merged = merge(args.folders, args.out, expected)
    except MergeRefused as refused:
        print(f"torchdrill: merge refused, nothing written: {refused}", file=sys.stderr)
        return EXIT_USAGE
    print(f"merged {merged.learners} learners from {len(args.folders)} folders into {args.out}/")
    for lane, parts in merged.lanes.items():
        shards = ", ".join(p.record.shard or "every learner" for p in parts)
        print(f"  {lane_name(lane)}: {len(parts)} folders ({shards})")
    if merged.complete:
        return EXIT_OK
    print("incomplete:", *(f"  {gap}" for gap in merged.missing), sep="\n", file=sys.stderr)
    print(
        f"The merged folder holds every learner graded so far. Grade the missing ones with the same command as their\n"
        f"shard or lane, then merge again; or, on one machine, `python -m grader class SUBMISSIONS --out {args.out}`\n"
        "grades only the learners it lacks (a GPU lane with --devices, on a machine that has the device).",
        file=sys.stderr,
    )
    return EXIT_NOT_PASSED
