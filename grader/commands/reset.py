"""`reset EX`: restore an exercise's stub from the generator; the learner's file is kept as a backup."""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from grader.core.course import Course
from grader.commands import EXIT_OK

HELP = "restore an exercise's stub; your file is kept in exercises/.backup/"
EPILOG = """\
The stub is made from the reference solution, exactly as `make exercises` makes it.

exit status: 0 restored (or already the stub), 2 usage error (unknown exercise, no solution to make the stub from)"""
BACKUP_DIR = ".backup"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercise", help="exercise name or prefix (ex02, ex02_autograd)")
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run(course: Course, args: argparse.Namespace) -> int:
    name = course.catalog.find(args.exercise).name
    stub = course.stub(name)
    path = course.exercise(name)
    shown = path.relative_to(course.root)
    if path.is_file() and path.read_text() == stub:
        print(f"{shown} is already the untouched stub: nothing to reset.")
        return EXIT_OK
    backup = _back_up(path) if path.is_file() else None
    partial = path.with_name(path.name + ".partial")
    partial.write_text(stub)
    os.replace(partial, path)
    print(f"restored {shown} to the stub.")
    if backup is not None:
        print(f"your version is kept in {backup.relative_to(course.root)}")
    return EXIT_OK


def backup_path(path: Path, stamp: str) -> Path:
    """`exercises/.backup/ex02_autograd.20250101-120000.py`, numbered if that name is taken."""
    folder = path.parent / BACKUP_DIR
    candidate, number = folder / f"{path.stem}.{stamp}.py", 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{path.stem}.{stamp}-{number}.py"
    return candidate


def _back_up(path: Path) -> Path:
    backup = backup_path(path, time.strftime("%Y%m%d-%H%M%S"))
    backup.parent.mkdir(exist_ok=True)
    shutil.copy2(path, backup)
    return backup
