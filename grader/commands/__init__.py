"""Command line: `python -m grader COMMAND` (also installed as `torchdrill`). One module per command.

Each module defines `HELP` (one line for `--help`), `configure(parser)` (its
arguments) and `run(course, args) -> int` (an exit code below). Modules import
heavy libraries (torch, pytest) inside `run`, so that `--help` and argument
errors answer at once. `COMMANDS` lists them in the order `--help` shows; the
student release keeps the learner's (`grader.authoring.release`).

Exit codes, stable for scripts and CI:

  0  every selected check passed (or the command succeeded)
  1  grading ran, and some check did not pass (or `generate --check` found stale stubs,
     or `merge` found learners or shards missing)
  2  usage error: unknown exercise or option, missing folder, nothing to grade, a refused merge
  3  internal error of the grader
130  interrupted (Ctrl-C or SIGTERM): nothing it started is left running
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from pathlib import Path
from types import ModuleType

EXIT_OK, EXIT_NOT_PASSED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl-C

COMMANDS = ("list", "run", "hint", "watch", "reset", "grade", "generate", "variants", "mutants", "class_", "merge", "report", "goldens", "release", "gradescope", "prairielearn", "notebooks")


def report_check(stale: list[str], command: str) -> int:
    """`--check` of a generating command: each stale output, and exit 1 if there is any."""
    for item in stale:
        print(f"stale: {item} (run: python -m grader {command})")
    return EXIT_NOT_PASSED if stale else EXIT_OK


def report_written(changed: list[Path], root: Path, what: str, folder: str) -> int:
    """What a generating command wrote (or removed)."""
    for path in changed:
        print(f"{'wrote' if path.exists() else 'removed'} {path.relative_to(root)}")
    print(f"{len(changed)} {what} changed" if changed else f"{folder}/ is up to date")
    return EXIT_OK


def _commands() -> dict[str, ModuleType]:
    """Command name -> module; `class_` is the module of `class` (a Python keyword)."""
    return {name.rstrip("_"): importlib.import_module(f"grader.commands.{name}") for name in COMMANDS}


def _parser(commands: dict[str, ModuleType]) -> argparse.ArgumentParser:
    description, _, codes = __doc__.partition("Exit codes, stable for scripts and CI:")
    parser = argparse.ArgumentParser(
        prog="torchdrill",
        description=description.split("\n")[0],
        epilog="exit codes:" + codes,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in commands.items():
        module.configure(subparsers.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    from grader.core.catalog import CatalogError
    from grader.core.course import Course
    from grader.core.stubs import AuthoringError

    commands = _commands()
    args = _parser(commands).parse_args(argv)
    # SIGTERM unwinds like Ctrl-C: every learner child is killed on the way out, temporary folders removed.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return commands[args.command].run(Course.find(), args)
    except (KeyError, FileNotFoundError, AuthoringError, CatalogError) as error:
        print(f"torchdrill: {error.args[0] if error.args else error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("torchdrill: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
