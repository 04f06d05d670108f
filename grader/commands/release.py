"""`release --out DIR`: the student release (no solutions/, no hidden checks)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.core.course import Course
from grader.commands import EXIT_OK, EXIT_USAGE

HELP = "write the student release: stubs, visible checks, goldens, the grader; no solutions, no hidden checks"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("dist/student"), help="release folder (default: dist/student)")
    parser.add_argument(
        "--hints", type=int, default=2, metavar="N",
        help="hint levels shipped per function (default: 2; the last level, the step in words, stays with the instructor)",
    )


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.authoring import release
    from grader.core import determinism

    determinism.configure_process()
    try:
        built = release.build(course, args.out, args.hints)
    except release.ReleaseError as error:
        print(f"torchdrill: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote the student release to {built.out}")
    print(f"  {built.visible} visible checks graded against goldens; {built.hidden_removed} hidden checks left out")
    print(f"  hints: the first {args.hints} level(s) of each")
    print(f"  grader modules left out (instructor only): {', '.join(built.left_out) or 'none'}")
    return EXIT_OK
