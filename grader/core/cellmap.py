"""A notebook's module and its line map: errors point at the notebook's cells, not at the module.

A notebook is graded as one module made of its tagged code cells
(`grader.learner.notebooks.stage`). The module's first line records where each
cell's code lies in it (its position in the notebook, its tags, its execution
count), so whatever grades the module maps a location back to the cell — the
learner loop, the check cell in Jupyter, class grading — without being told it
came from a notebook: `Session` applies `relocate` to every outcome.

    # torchdrill cells: [[3, "preamble", 2, 4, 2], [6, "row", 7, 8, 3]]

says that module lines 4-5 are the 2 lines of cell 3 (tagged `preamble`, last
run as In [2]) and lines 8-10 those of cell 6. An error at module line 9 is
shown as `cell 6 [row] (In [7]) line 2`. A module without that first line (a
learner's `exercises/exNN.py`) is left as it is.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.core.wire import OutcomeKind, ProbeOutcome

HEADER = "# torchdrill cells: "
HEADER_LIMIT = 1 << 16  # bytes of the first line read back: far more than a notebook's cells need
LABEL = re.compile(r"[^\w./-]+")  # what a shown tag may hold (tags are the learner's: no newline, no escape)
LABEL_LIMIT = 60


@dataclass(frozen=True)
class CellCode:
    """One tagged cell as it goes into the module."""

    number: int  # its position in the notebook, from 1 (markdown cells count)
    label: str  # its tags
    source: str  # Python: IPython-only lines already commented out
    run: int | None = None  # its execution count, In [run], where known


@dataclass(frozen=True)
class Span:
    """Where one cell's code lies in the module."""

    number: int
    label: str
    run: int | None
    first: int  # the module line of the cell's first line
    lines: int

    def where(self, line: int) -> str:
        """`cell 6 [row] (In [7]) line 2`: the cell, and the line within it."""
        run = f" (In [{self.run}])" if self.run is not None else ""
        return f"cell {self.number} [{self.label}]{run} line {line - self.first + 1}"


@dataclass(frozen=True)
class CellMap:
    spans: tuple[Span, ...]

    def where(self, line: int) -> str | None:
        """The cell and line that a module line comes from (None: a line the module adds, such as a heading).

        A line just after a cell's code (a syntax error at the end of a cell) is the cell's.
        """
        for span, following in zip(self.spans, [*self.spans[1:], None]):
            end = following.first - 1 if following is not None else span.first + span.lines + 1
            if span.first <= line < end:
                return span.where(line)
        return None


def label(tags: str) -> str:
    """A cell's tags as shown: only word characters, dots, dashes and slashes, bounded."""
    shown = LABEL.sub("_", tags)
    return shown if len(shown) <= LABEL_LIMIT else shown[: LABEL_LIMIT - 1] + "…"


def module_text(cells: Sequence[CellCode]) -> str:
    """The module of a notebook: its line map, then each cell's code under a heading naming the cell."""
    lines: list[str] = []
    spans = []
    for cell in cells:
        shown = label(cell.label)
        code = cell.source.replace("\r\n", "\n").replace("\r", "\n").rstrip().split("\n")
        lines += ["", "", f"# --- cell {cell.number} [{shown}] ---"]
        run = cell.run if type(cell.run) is int and cell.run >= 0 else None
        spans.append(Span(cell.number, shown, run, len(lines) + 2, len(code)))  # +2: the header, then 1-based
        lines += code
    header = HEADER + json.dumps([[s.number, s.label, s.run, s.first, s.lines] for s in spans], ensure_ascii=True)
    return "\n".join([header, *lines]) + "\n"


def read_map(module: Path) -> CellMap | None:
    """The line map in a module's first line, or None (no map, or not one `module_text` could have written)."""
    try:
        with module.open("rb") as handle:
            first = handle.readline(HEADER_LIMIT).decode("utf-8")
        if not first.startswith(HEADER):
            return None
        rows = json.loads(first[len(HEADER) :])
        if type(rows) is not list:
            return None
        spans = tuple(_span(row) for row in rows)
    except (OSError, ValueError, TypeError):  # unreadable, not UTF-8, not JSON, not rows of a map
        return None
    firsts = [span.first for span in spans]
    return CellMap(spans) if firsts == sorted(set(firsts)) else None


def _span(row: object) -> Span:
    number, shown, run, first, lines = row  # type: ignore[misc] - anything else raises TypeError or ValueError
    if not all(type(v) is int for v in (number, first, lines)) or (run is not None and type(run) is not int):
        raise ValueError("not a line map")
    if type(shown) is not str or shown != label(shown) or lines < 1:
        raise ValueError("not a line map")
    return Span(number, shown, run, first, lines)


# --- where a location is shown ---------------------------------------------------------------

_LOCATION = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d{1,9})(?P<rest>( in .*)?)$")  # "ex02_autograd.py:14 in f"
_FRAME = re.compile(r'^(?P<indent>[ \t]*)File "(?P<file>[^"\n]*)", line (?P<line>\d{1,9})', re.MULTILINE)
_SYNTAX = re.compile(r"\((?P<file>[^(),\n]+), line (?P<line>\d{1,9})\)")  # "invalid syntax (ex02_autograd.py, line 9)"
_FORBIDDEN = re.compile(r"at line (?P<line>\d{1,9}) of your file")  # grader.run.forbidden
_WARNING = re.compile(r"^(?P<file>[^\n]*?):(?P<line>\d{1,9}): (?=\w*(Warning|Error)\b)", re.MULTILINE)  # warnings.warn


def relocate(outcome: ProbeOutcome, module: Path) -> ProbeOutcome:
    """The outcome with every location in `module` shown as the notebook cell it comes from.

    The module is read only when the outcome names a place in it; one without a
    line map is left as it is.
    """
    shown = [outcome.detail, outcome.output, *(dataclasses.astuple(outcome.error) if outcome.error else ())]
    if not any(module.name in text or _FORBIDDEN.search(text) for text in shown):
        return outcome
    cells = read_map(module)
    if cells is None:
        return outcome

    def at(pattern: re.Pattern[str], text: str, form: Callable[[re.Match[str], str], str]) -> str:
        def replace(match: re.Match[str]) -> str:
            if "file" in match.groupdict() and Path(match["file"]).name != module.name:
                return match[0]
            where = cells.where(int(match["line"]))
            return match[0] if where is None else form(match, where)

        return pattern.sub(replace, text)

    error = outcome.error
    if error is not None:
        error = dataclasses.replace(
            error,
            message=at(_SYNTAX, error.message, lambda m, where: f"({where})"),
            location=at(_LOCATION, error.location, lambda m, where: where + m["rest"]),
            traceback=at(_FRAME, error.traceback, lambda m, where: m["indent"] + where),
        )
    detail = outcome.detail
    if outcome.kind is OutcomeKind.FORBIDDEN:
        detail = at(_FORBIDDEN, detail, lambda m, where: f"at {where}")
    output = at(_WARNING, outcome.output, lambda m, where: f"{where}: ")
    return dataclasses.replace(outcome, error=error, detail=detail, output=output)

