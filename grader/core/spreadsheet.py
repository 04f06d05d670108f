"""CSV files that a spreadsheet or an LMS opens: the one writer, and the one rule against formula injection.

A CSV cell that starts with `=`, `+`, `-` or `@` (or a tab or a carriage return,
which some spreadsheets skip before reading such a sign) is run as a formula by
Excel, LibreOffice and Google Sheets when the file is opened. Learner ids are
folder names the learners chose and roster names are typed by people, so every
text cell goes through `neutral`, which puts a `'` in front of such a cell: the
spreadsheet shows the text as text. Plain numbers (`-1.5`) are left as they are.

Every CSV the grader writes (gradebooks, LMS imports, anything the class run
writes) is written by `write`, so no writer can forget the rule.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

Cell = str | int | float


def neutral(cell: Cell) -> str:
    """The cell as text that no spreadsheet runs as a formula."""
    if isinstance(cell, (int, float)):
        return str(cell)
    if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def write(path: Path, rows: Iterable[Sequence[Cell]], quote_all: bool = False) -> None:
    """UTF-8, comma-separated, RFC 4180 quoting, `\\r\\n` line ends; every cell neutralised.

    `quote_all` puts every cell in quotes (Blackboard's Grade Center asks for it).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        writer.writerows([neutral(cell) for cell in row] for row in rows)
