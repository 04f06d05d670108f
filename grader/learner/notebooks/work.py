"""Which file holds the learner's work on an exercise: `exercises/exNN.py` or `notebooks/exNN.ipynb`.

The rule, for `list`, `run` and `grade`: the notebook counts when it
holds work (its tagged cells differ from those `make notebooks` wrote) and was
saved after the exercise file; otherwise the exercise file counts. So working in
either one is graded, the one touched last wins when both hold work, and
refreshing untouched notebooks (`make notebooks`) never takes the grade away
from the file. A notebook that counts is staged as a module (its tagged cells)
under `.torchdrill/notebook-modules/` and graded from there; the results name
the notebook, and every command says which file it graded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from grader.core.course import Course
from grader.core.results import Submission
from grader.core.session import Staged
from grader.learner.notebooks.build import holds_work
from grader.learner.notebooks.stage import NotebookError, module_cells, module_folder, module_text, read_notebook


@dataclass(frozen=True)
class Work:
    """The file that counts for one exercise."""

    exercise: str
    path: Path
    notebook: bool  # the notebook (else the exercise file)


def find(course: Course, exercise: str) -> Work:
    """Which file counts for `exercise` (see the module's docstring); cheap enough for every `list`."""
    module, notebook = course.exercise(exercise), course.notebook(exercise)
    if _saved_after(notebook, module) and holds_work(notebook):
        return Work(exercise, notebook, True)
    return Work(exercise, module, False)


def _saved_after(notebook: Path, module: Path) -> bool:
    try:
        saved = notebook.stat().st_mtime_ns
    except OSError:
        return False
    try:
        return saved > module.stat().st_mtime_ns
    except OSError:  # no exercise file: the notebook is all there is
        return True


def stage(course: Course, exercises: list[str]) -> tuple[dict[str, Staged], list[str]]:
    """Stage the notebooks that count among `exercises`: the target's staged modules, and a note for
    each notebook that should count but cannot be graded (its exercise file is graded instead)."""
    staged: dict[str, Staged] = {}
    problems: list[str] = []
    for exercise in exercises:
        work = find(course, exercise)
        if not work.notebook:
            continue
        try:
            module = _stage_one(course, work)
        except NotebookError as error:
            problems.append(f"{exercise}: graded {_shown(course, course.exercise(exercise))}, not {_shown(course, work.path)}: {error}")
            continue
        staged[exercise] = Staged(module, work.path)
    return staged, problems


def _stage_one(course: Course, work: Work) -> Path:
    """Write the notebook's module as `<exercise>.py` (whatever exercise its metadata names: the file name decides)."""
    text = module_text(module_cells(read_notebook(work.path), work.path))
    folder = module_folder(course, course.staged_notebooks)
    module = folder / f"{work.exercise}.py"
    partial = folder / f".{work.exercise}.{os.getpid()}.partial"  # grading processes may stage at once
    partial.write_text(text)
    os.replace(partial, module)
    return module


def notes(course: Course, submission: Submission) -> list[str]:
    """What a command says after its verdicts: each exercise graded from its notebook, then the
    submission's notes (a notebook that should have counted but could not be graded)."""
    said = [
        f"{f.exercise}: graded {_shown(course, Path(f.path))}, your latest work (saved after "
        f"{_shown(course, course.exercise(f.exercise))})"
        for f in submission.files
        if f.path.endswith(".ipynb")
    ]
    return said + submission.notes


def _shown(course: Course, path: Path) -> str:
    try:
        return str(path.relative_to(course.root))
    except ValueError:
        return str(path)
