"""Command line: `python -m grader COMMAND` (also installed as `torchdrill`).

Each command is a module of `grader.commands`; `COMMANDS` lists them in the
order `--help` shows. Exit codes are documented in `grader.exitcodes`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from types import ModuleType

from grader import authoring, catalog, exitcodes
from grader.exitcodes import EXIT_USAGE

COMMANDS = ("list", "run", "hint", "watch", "reset", "grade", "generate", "variants", "class_", "report", "goldens", "release", "gradescope", "notebooks")


def project_root(start: Path | None = None) -> Path:
    """The nearest folder, from the working directory up, that holds the catalog."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / catalog.CATALOG_FILE).is_file():
            return folder
    return Path(__file__).resolve().parents[1]


def _commands() -> dict[str, ModuleType]:
    """Command name -> module; `class_` is the module of `class` (a Python keyword)."""
    return {name.rstrip("_"): importlib.import_module(f"grader.commands.{name}") for name in COMMANDS}


def _parser(commands: dict[str, ModuleType]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="torchdrill",
        description=__doc__.split("\n")[0],
        epilog=exitcodes.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in commands.items():
        module.configure(subparsers.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def main(argv: list[str] | None = None) -> int:
    commands = _commands()
    args = _parser(commands).parse_args(argv)
    try:
        return commands[args.command].run(project_root(), args)
    except (KeyError, FileNotFoundError, authoring.AuthoringError) as error:
        print(f"torchdrill: {error.args[0] if error.args else error}", file=sys.stderr)
        return EXIT_USAGE
