"""`goldens [--check]`: record the reference outcomes of the visible checks into goldens/."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.exitcodes import EXIT_NOT_PASSED, EXIT_OK, EXIT_USAGE

HELP = "record the visible checks' reference outcomes from solutions/ into goldens/ (for the release)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report stale goldens; exit 1 if any")


def run(root: Path, args: argparse.Namespace) -> int:
    from grader import determinism, goldens

    if not goldens.has_solutions(root):
        print(
            f"torchdrill: goldens are recorded from {goldens.SOLUTIONS_DIR}/, which this course does not have",
            file=sys.stderr,
        )
        return EXIT_USAGE
    determinism.configure_process()
    if args.check:
        problems = goldens.stale(root)
        for problem in problems:
            print(f"stale: {goldens.GOLDENS_DIR}/{problem} (run: python -m grader goldens)")
        return EXIT_NOT_PASSED if problems else EXIT_OK
    changed = goldens.write(root)
    for path in changed:
        print(f"{'wrote' if path.exists() else 'removed'} {path.relative_to(root)}")
    print(f"{len(changed)} golden file(s) changed" if changed else f"{goldens.GOLDENS_DIR}/ is up to date")
    return EXIT_OK
