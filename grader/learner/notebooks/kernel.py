"""Grading inside Jupyter: the `setup` and `check` cells of a generated notebook.

`check` grades the code *as the kernel last ran it*, whether or not the notebook
was saved: for each tagged cell, the last execution of that cell, found by the
cell id the frontend sends, or else (frontends that send none, notebooks saved
without ids) as the last executed cell that defines the cell's name, or for a
cell that defines none (the preamble) that starts with the same comment line;
a cell not run since the kernel started counts as saved in the notebook file.
The module is staged in a temporary folder and graded like any other:
references in a trusted process forked from the kernel (so the kernel's torch
state is left alone), learner code in children of that process.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grader.core.course import Course
from grader.core.results import Submission
from grader.core.stubs import AuthoringError
from grader.learner.notebooks.build import build_notebook
from grader.learner.notebooks.stage import (
    DEFINITIONS,
    Cell,
    NotebookError,
    exercise_of,
    expected_tags,
    module_cells,
    module_folder,
    module_text,
    python_only,
    read_notebook,
    tagged_cells,
)
from grader.run import fork

ROOT_VARIABLE = "TORCHDRILL_ROOT"


def grade_staged(course: Course, exercise: str, folder: Path, stop: Callable[[], bool] = lambda: False) -> Submission:
    """Grade `folder/<exercise>.py`: a `Submission` (checks in suite order).

    One check at a time, each in its own child: `stop` is asked between checks
    (an interrupt in Jupyter).
    """
    from grader.core.session import Target
    from grader.learner.runner import Runner

    started = time.monotonic()
    runner = Runner(course, Target(f"notebook {exercise}", folder), jobs=1)
    results = []
    for run in runner.select(exercise):
        if stop():
            break
        results += runner.session.grade([run])
    return runner.session.submission(results, started, [exercise])


def _grade_isolated(course: Course, exercise: str, folder: Path) -> tuple[Submission, bool]:
    """`grade_staged` apart from the kernel (`fork.call`), so that the kernel's state stays as it was.

    Returns the submission and whether the learner interrupted: an interrupt
    (Jupyter signals the kernel's process group) stops grading after the running
    check, which its own time limit bounds; a second one ends it at once.
    """

    def grade() -> bytes:
        stopped = fork.interrupted()
        # The kernel's streams are not ours (in a forked process or, off Linux, a thread).
        with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
            try:
                submission = grade_staged(course, exercise, folder, stop=stopped)
                answer = {"submission": submission.to_dict(), "stopped": stopped()}
            except BaseException as error:  # noqa: BLE001 - any failure goes back as a message
                answer = {"error": f"grading failed: {type(error).__name__}: {error}"}
        return json.dumps(answer).encode()

    data = fork.call(grade).result(forward_interrupt=True)
    try:
        answer = json.loads(data or b"")
    except ValueError:
        raise NotebookError("the grading process stopped without an answer") from None
    if "error" in answer:
        raise NotebookError(answer["error"])
    return Submission.from_dict(answer["submission"]), answer["stopped"]


# --- inside Jupyter ------------------------------------------------------------------------


@dataclass(frozen=True)
class Execution:
    """One cell the kernel ran."""

    source: str
    cell_id: str = ""  # the frontend's cell id, "" where it sent none
    count: int | None = None  # its execution count: In [count]


class _Executions:
    """A `pre_run_cell` hook: every cell the kernel runs, with the id of the frontend's cell.

    JupyterLab, Notebook 7 and VS Code send a cell id with each execution; IPython's
    own history (all there is for cells run before `setup`) has the sources only.
    """

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.entries = _history(shell)

    def __call__(self, info: Any) -> None:
        count = self.shell.execution_count if info.store_history else None  # the In [n] this run gets
        self.entries.append(Execution(info.raw_cell, info.cell_id or "", count))


_executions: _Executions | None = None


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def executed(shell: Any) -> list[Execution]:
    """Each cell the kernel ran, oldest first."""
    if shell is None:
        return []
    if _executions is not None and _executions.shell is shell:
        return _executions.entries
    return _history(shell)


def _history(shell: Any) -> list[Execution]:
    """IPython's own record: In [n] is `input_hist_raw[n]`."""
    return [Execution(source, "", count) for count, source in enumerate(shell.history_manager.input_hist_raw) if count]


def setup(exercise: str) -> None:
    """The notebook's first cell: record executions from now on, and say which course grades it."""
    global _executions
    shell = _shell()
    course = find_course(_find_notebook(exercise, shell, None) or Path.cwd())
    if shell is not None and (_executions is None or _executions.shell is not shell):
        _executions = _Executions(shell)
        shell.events.register("pre_run_cell", _executions)
        if "__file__" in course.stub(exercise):
            # The module finds files next to itself; the notebook stands in for exercises/<exercise>.py.
            shell.user_ns.setdefault("__file__", str(course.exercise(exercise)))
    print(f"torchdrill: {exercise}, graded by the course at {course.root}")


def resolve(cells: list[Cell], history: list[Execution]) -> list[tuple[Cell, bool]]:
    """Each tagged cell as it is graded, and whether it comes from the kernel (else: as saved).

    The last execution of that very cell (by id); else, for a cell that defines
    its tag's name, the last executed cell defining that name (what the kernel
    holds under that name); else, for a cell that defines none (the preamble),
    the last executed cell that starts with the same comment line; else the
    cell as saved. A source used twice (two halves of a split cell matched by
    one definition) is graded once.
    """
    chosen: list[tuple[Cell, bool]] = []
    used: set[int] = set()
    defined = [_defined_names(run.source) for run in history]
    for cell in cells:
        index = _last_run(cell, history, defined)
        if index is None:
            chosen.append((replace(cell, run=None), False))  # a saved count is some other kernel's In [n]
        elif index not in used:
            used.add(index)
            chosen.append((replace(cell, source=history[index].source, run=history[index].count), True))
    return chosen


def _last_run(cell: Cell, history: list[Execution], defined: list[set[str]]) -> int | None:
    """Where in `history` the kernel last ran this cell (see `resolve`), or None."""
    names = _defined_names(cell.source).intersection(cell.tags)
    comment = "" if names else first_comment(cell.source)
    by_id = by_definition = by_comment = None
    for index, run in enumerate(history):
        if cell.cell_id and run.cell_id == cell.cell_id:
            by_id = index
        elif names & defined[index]:
            by_definition = index
        elif comment and first_comment(run.source) == comment:
            by_comment = index
    return next((i for i in (by_id, by_definition, by_comment) if i is not None), None)


MARK_LENGTH = 16  # characters a first comment needs to tell its cell apart ("# TODO" does not)


def first_comment(source: str) -> str:
    """A cell's first non-blank line if it is a comment of at least MARK_LENGTH characters, else ""."""
    line = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return line if line.startswith("#") and len(line) >= MARK_LENGTH else ""


def _defined_names(source: str) -> set[str]:
    """The functions and classes a cell defines at top level (none if it does not parse)."""
    try:
        tree = ast.parse(python_only(source))
    except (SyntaxError, ValueError):  # ValueError: null bytes
        return set()
    return {node.name for node in tree.body if isinstance(node, DEFINITIONS)}


def find_course(start: Path) -> Course:
    """The course: $TORCHDRILL_ROOT, else the folder holding catalog.toml above `start`, else the package's."""
    variable = os.environ.get(ROOT_VARIABLE)
    course = Course(Path(variable).expanduser()) if variable else Course.find(start if start.is_dir() else start.parent)
    if not course.catalog_file.is_file():
        raise NotebookError(
            f"cannot find the course ({course.catalog_file.name}) from {start}: set {ROOT_VARIABLE} to the course folder"
        )
    return course


def _find_notebook(exercise: str, shell: Any, given: str | Path | None) -> Path | None:
    """The notebook file this kernel runs: as given, as the frontend says (Jupyter server, VS Code), or by name."""
    if given is not None:
        if not Path(given).is_file():
            raise NotebookError(f"{given}: no such notebook file")
        return Path(given)
    user_ns = shell.user_ns if shell is not None else {}
    candidates = [os.environ.get("JPY_SESSION_NAME"), user_ns.get("__vsc_ipynb_file__"), f"{exercise}.ipynb"]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        if path.suffix == ".ipynb" and path.is_file() and _is_for(path, exercise):
            return path
    return None


def _is_for(path: Path, exercise: str) -> bool:
    try:
        return exercise_of(read_notebook(path), path) == exercise
    except NotebookError:
        return path.stem == exercise  # unreadable: still ours, and `check` says what is wrong with it


def check(exercise: str, notebook: str | Path | None = None) -> None:
    """The notebook's last cell: grade the code as the kernel last ran it and print the results.

    `notebook`: the notebook file, where it cannot be found (see `_find_notebook`).
    Works outside Jupyter too, on the saved notebook.
    """
    from grader.learner import terminal

    shell = _shell()
    try:
        path = _find_notebook(exercise, shell, notebook)
        course = find_course(path or Path.cwd())
        entry = course.catalog.find(exercise)
        exercise = entry.name
        if path is not None:
            cells, origin = module_cells(read_notebook(path), path), f"as saved in {path.name}"
        else:
            template = build_notebook(entry, course.stub(exercise))
            cells, origin = tagged_cells(template, expected_tags(template)), "as stubs (notebook file not found)"
        chosen = resolve(cells, executed(shell))
        with tempfile.TemporaryDirectory(prefix="torchdrill-notebook-") as scratch:
            folder = module_folder(course, Path(scratch))
            (folder / f"{exercise}.py").write_text(module_text([cell for cell, _ in chosen]))
            submission, stopped = _grade_isolated(course, exercise, folder)
    except (NotebookError, KeyError, FileNotFoundError, AuthoringError) as error:
        print(f"torchdrill: {error.args[0] if error.args else error}")
        return
    ran = sum(from_kernel for _, from_kernel in chosen)
    print(f"{exercise}: graded {len(chosen)} tagged cells, {ran} as last run in this kernel, {len(chosen) - ran} {origin}")
    print(terminal.render(submission, details=True, color=True), end="")
    if stopped:
        print(f"interrupted: stopped after {len(submission.checks)} check(s); run the cell again for all of them")

