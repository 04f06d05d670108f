"""`notebooks [EX...]`: one Jupyter notebook per exercise (default: notebooks/)."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.core.course import Course
from grader.commands import EXIT_OK

HELP = "write one Jupyter notebook per exercise (default: notebooks/)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercises", nargs="*", help="exercise names or prefixes (default: all, in catalog order)")
    parser.add_argument("--out", metavar="FOLDER", help="where to write them (default: notebooks/ in the course)")
    parser.add_argument("--force", action="store_true", help="also overwrite notebooks that hold your code")


def run(course: Course, args: argparse.Namespace) -> int:
    from grader.learner.notebooks import build

    out = Path(args.out).expanduser().resolve() if args.out else course.notebooks
    catalog = course.catalog
    chosen = [catalog.find(query).name for query in args.exercises] if args.exercises else catalog.names
    written = set(build.write_notebooks(course, out, chosen, force=args.force))
    for name in chosen:
        path = out / f"{name}.ipynb"
        if path in written:
            print(f"wrote {_shown(path)}")
        else:
            print(f"kept  {_shown(path)}: it holds your code (--force overwrites it)")
    example = _shown(out / f"{chosen[0]}.ipynb")
    print(
        f"Open them in Jupyter with this course's Python as the kernel (docs/notebooks.md).\n"
        f"Grade one from a terminal: python -m grader run {example}"
    )
    return EXIT_OK


def _shown(path: Path) -> str:
    """Relative to the working directory where it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
