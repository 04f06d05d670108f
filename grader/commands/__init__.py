"""One module per `python -m grader` command.

Each module defines `HELP` (one line for `--help`), `configure(parser)` (its
arguments) and `run(root, args) -> int` (an exit code from `grader.cli`).
Modules import heavy libraries (torch, pytest) inside `run`, so that `--help`
and argument errors answer at once.
"""
