"""A notebook file back to a module: the tagged code cells, in notebook order, without a kernel.

The tags are the contract of a torchdrill notebook: each code cell tagged with a
name (`preamble`, or the function or class it defines) is part of the learner's
module; untagged cells are scratch and never graded. `stage` writes the module
(`python -m grader run x.ipynb`, `list` and `grade` where the notebook holds the
learner's latest work, class grading); `grader.learner.notebooks.kernel` grades
the cells as the kernel last ran them. The module records which lines came from
which cell (`grader.core.cellmap`), so errors point at the cells.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.core.cellmap import CellCode
from grader.core.cellmap import module_text as cells_module
from grader.core.course import Course

METADATA_KEY = "torchdrill"
PREAMBLE, SETUP, CHECK = "preamble", "setup", "check"
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# IPython-only lines (magics, shell escapes, `obj?` help) are not Python: they stay as comments.
IPYTHON_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<line>[%!].*|\?{1,2}[\w.]+|[\w.]+\?{1,2})[ \t]*$", re.MULTILINE)
FRESH_COPY = "python -m grader notebooks EX --out fresh/ writes a fresh copy"


class NotebookError(Exception):
    """A notebook that cannot be turned into a module; the message says what to do."""


@dataclass(frozen=True)
class Cell:
    """A tagged code cell: part of the learner's module."""

    tags: tuple[str, ...]
    source: str
    cell_id: str = ""  # "" where the notebook has none (nbformat < 4.5)
    number: int = 0  # its position in the notebook, from 1 (markdown cells count)
    run: int | None = None  # its execution count (In [run]), where known

    @property
    def label(self) -> str:
        return "/".join(self.tags)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook at `path`, converted to nbformat 4 and validated."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
        json.loads(text)
    except UnicodeDecodeError:
        raise NotebookError(f"{path.name} is not valid JSON (not UTF-8 text). {_SAVE_AGAIN}") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}: {error.msg}"
        raise NotebookError(f"{path.name} is not valid JSON ({where}). {_SAVE_AGAIN}") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat warns about cells without ids in older files
            notebook = nbformat.reads(text, as_version=4)
            nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001 - nbformat raises many kinds of errors on malformed input
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise NotebookError(
            f"{path.name} is JSON but not a Jupyter notebook (nbformat.validate failed: {reason}). {_SAVE_AGAIN}"
        ) from None
    return notebook


_SAVE_AGAIN = f"Was it cut short or edited by hand? Open it in Jupyter and save it again, or {FRESH_COPY}."


def exercise_of(notebook: nbformat.NotebookNode, path: Path) -> str:
    """The exercise a notebook is for: its metadata, else its file name."""
    meta = notebook.metadata.get(METADATA_KEY)
    name = meta.get("exercise") if isinstance(meta, dict) else None
    if isinstance(name, str) and name.isidentifier():
        return name
    if path.stem.isidentifier():
        return path.stem
    raise NotebookError(
        f"{path.name}: no exercise name. Its metadata has no {METADATA_KEY}.exercise and its file name is not "
        f"one: name the file after the exercise (ex02_autograd.ipynb), or {FRESH_COPY}."
    )


def expected_tags(notebook: nbformat.NotebookNode) -> list[str] | None:
    """The tags a generated notebook must keep (from its metadata), or None for a hand-made one."""
    meta = notebook.metadata.get(METADATA_KEY)
    tags = meta.get("tags") if isinstance(meta, dict) else None
    if isinstance(tags, list) and all(isinstance(t, str) for t in tags):
        return tags
    return None


def tagged_cells(notebook: nbformat.NotebookNode, expected: list[str] | None) -> list[Cell]:
    """The code cells that make up the module, in notebook order.

    With `expected` tags, a cell belongs if it carries one of them (a split cell
    keeps its tags, so both halves count); without, every tagged code cell
    except setup and check does.
    """
    cells = []
    for number, cell in enumerate(notebook.cells, start=1):
        tags = cell.metadata.get("tags", []) if cell.cell_type == "code" else []
        mine = tuple(t for t in tags if (t in expected if expected is not None else t not in (SETUP, CHECK)))
        if mine:
            cells.append(Cell(mine, cell.source, cell.get("id", ""), number, cell.get("execution_count")))
    return cells


def module_cells(notebook: nbformat.NotebookNode, path: Path) -> list[Cell]:
    """`tagged_cells`, or a NotebookError naming every tag that no cell carries."""
    expected = expected_tags(notebook)
    cells = tagged_cells(notebook, expected)
    present = {tag for cell in cells for tag in cell.tags}
    missing = [tag for tag in expected or [] if tag not in present]
    if missing:
        what = ", ".join(f"{t!r} ({'imports and constants' if t == PREAMBLE else 'defines ' + t})" for t in missing)
        raise NotebookError(
            f"{path.name}: missing tagged cell for {what}. The tags tell the grader which cells make up your "
            "module: add the tag back to the cell (JupyterLab: the gear icon on the right, Cell Tags; "
            f"Notebook 7: View > Right Sidebar; VS Code: the cell's ... menu, Add Cell Tag), or {FRESH_COPY} "
            "and paste your code into it."
        )
    if not cells:
        raise NotebookError(
            f"{path.name}: no tagged code cells. A torchdrill notebook has one code cell per function, "
            f"tagged with its name, and a '{PREAMBLE}' cell for the imports; {FRESH_COPY}."
        )
    return cells


def module_text(cells: list[Cell]) -> str:
    """The module, with its line map: each cell's code under a comment naming it; IPython-only lines commented out."""
    return cells_module([CellCode(cell.number, cell.label, python_only(cell.source), cell.run) for cell in cells])


def python_only(source: str) -> str:
    return IPYTHON_LINE.sub(r"\g<indent># (IPython only) \g<line>", source)


def module_folder(course: Course, parent: Path) -> Path:
    """`parent/exercises/`, for modules staged from notebooks, beside `parent/data`, a link to the course's data.

    Placed like the course's `exercises/`, so that a module that finds its data from its own place
    (`Path(__file__).resolve().parents[1] / "data"`) finds it.
    """
    folder = parent / course.exercises.name
    folder.mkdir(parents=True, exist_ok=True)
    data = parent / course.data.name
    if not data.is_symlink() and course.data.is_dir():
        try:
            data.symlink_to(course.data.resolve(), target_is_directory=True)
        except OSError:  # made meanwhile by another process staging here; or no links here (Windows): no data
            pass
    return folder


def stage(notebook: Path, folder: Path) -> Path:
    """Write the module of a learner's notebook as `folder/<exercise>.py`; no kernel is started."""
    parsed = read_notebook(notebook)
    exercise = exercise_of(parsed, notebook)
    folder.mkdir(parents=True, exist_ok=True)
    module = folder / f"{exercise}.py"
    module.write_text(module_text(module_cells(parsed, notebook)))
    return module


