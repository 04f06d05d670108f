"""`generate`: write exercises/ from solutions/ (the stubs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader import authoring
from grader.exitcodes import EXIT_NOT_PASSED, EXIT_OK

HELP = "write exercises/ from solutions/ (stubs)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report stale stubs; exit 1 if any")


def run(root: Path, args: argparse.Namespace) -> int:
    if args.check:
        stale = authoring.stale(root)
        for path in stale:
            print(f"stale: {path.relative_to(root)} (run: python -m grader generate)")
        return EXIT_NOT_PASSED if stale else EXIT_OK
    changed = authoring.generate(root)
    for path in changed:
        print(f"wrote {path.relative_to(root)}")
    print(f"{len(changed)} stub file(s) written" if changed else "exercises/ is up to date")
    return EXIT_OK
