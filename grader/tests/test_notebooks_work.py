"""Notebooks as a learner uses them: errors shown at the cell, the preamble graded as last run,
notebook work counted by `list`, `run` and `grade`, and `make notebooks` installing Jupyter."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import nbformat
import pytest

from grader.commands import main
from grader.core import cellmap
from grader.core.cellmap import CellCode
from grader.core.course import Course
from grader.learner.notebooks import build, kernel, stage
from grader.tests.conftest import COURSE, ROOT, run_grader
from grader.tests.test_learner_cli import trim_catalog
from grader.tests.test_notebooks import with_solutions

EXERCISE = "ex01_tensors"


def notebook_with(folder: Path, code: dict[str, str]) -> Path:
    """ex01's notebook, solved, with the cells named in `code` (by id) replaced."""
    [path] = build.write_notebooks(COURSE, folder, [EXERCISE], force=True)
    notebook = with_solutions(nbformat.read(path, as_version=4), EXERCISE)
    for cell in notebook.cells:
        if cell.get("id") in code:
            cell.source = code[cell.id]
    nbformat.write(notebook, str(path))
    return path


def cell_number(path: Path, cell_id: str) -> int:
    return next(n for n, c in enumerate(nbformat.read(path, as_version=4).cells, start=1) if c.get("id") == cell_id)


# --- errors point at the cell ---------------------------------------------------------------


def test_a_runtime_error_names_the_cell_and_its_line(tmp_path):
    path = notebook_with(tmp_path, {"row": "def row(x, i):\n    first = x[i]\n    return first + undefined_name\n"})
    stage.stage(path, tmp_path / "staged")
    failed = [c for c in kernel.grade_staged(COURSE, EXERCISE, tmp_path / "staged").checks if c.status == "error"]
    assert failed
    where = f"cell {cell_number(path, 'row')} [row] line 3"
    for check in failed:
        assert "NameError: name 'undefined_name' is not defined" in check.message
        assert where in check.message and f"{EXERCISE}.py" not in check.message, check.message


def test_a_syntax_error_names_the_cell_and_its_line(tmp_path):
    path = notebook_with(tmp_path, {"column": "def column(x, j):\n    return x[:, j\n"})
    stage.stage(path, tmp_path / "staged")
    checks = [c for c in kernel.grade_staged(COURSE, EXERCISE, tmp_path / "staged").checks if c.status != "skipped"]
    messages = {c.message for c in checks}
    assert len(messages) == 1 and {c.status for c in checks} == {"error"}
    [message] = messages
    assert f"cell {cell_number(path, 'column')} [column] line" in message and f"{EXERCISE}.py" not in message, message


def test_the_line_map_is_read_back_and_a_forged_one_is_ignored(tmp_path):
    module = tmp_path / "ex.py"
    module.write_text(cellmap.module_text([CellCode(2, "preamble", "import torch"), CellCode(5, "f\nx\x1b[31m", "def f():\n    pass", 7)]))
    cells = cellmap.read_map(module)
    assert cells is not None
    lines = module.read_text().split("\n")
    first = lines.index("def f():") + 1
    assert cells.where(first + 1) == "cell 5 [f_x_31m] (In [7]) line 2"  # tags shown without newline or escape
    assert cells.where(1) is None  # the header is no cell's
    for forged in ('[[1, "a\\nb", null, 3, 1]]', '[[1, "a", null, 3, 0]]', '[[1, "a", null, 5, 1], [2, "b", null, 3, 1]]', "{}", "[[1]]"):
        module.write_text(f"{cellmap.HEADER}{forged}\nimport os\n")
        assert cellmap.read_map(module) is None, forged


def test_a_file_without_a_line_map_is_left_as_it_is(tmp_path):
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / f"{EXERCISE}.py").write_text("import torch\nraise RuntimeError('boom')\n")
    checks = [c for c in kernel.grade_staged(COURSE, EXERCISE, folder).checks if c.status != "skipped"]
    assert all(f"{EXERCISE}.py:2" in c.message and "cell " not in c.message for c in checks), checks[0].message


# --- the check cell grades the preamble as last run -----------------------------------------


def test_an_edited_preamble_run_without_cell_ids_is_graded_as_run():
    template = build.build_notebook(COURSE.catalog.find(EXERCISE), COURSE.stub(EXERCISE))
    cells = stage.tagged_cells(template, stage.expected_tags(template))
    preamble = next(c for c in cells if c.tags == (stage.PREAMBLE,))
    edited = preamble.source + "\nOFFSET = 0\n"
    history = [kernel.Execution("# TODO: scratch work\nOFFSET = 1\n", "", 1), kernel.Execution(edited, "", 2)]
    chosen = {cell.label: (cell.source, cell.run, ran) for cell, ran in kernel.resolve(cells, history)}
    assert chosen[stage.PREAMBLE] == (edited, 2, True)
    assert kernel.first_comment("# TODO\nx = 1") == ""  # too short to tell a cell apart


# --- notebook work counts in list, run and grade --------------------------------------------


@pytest.fixture
def course(course_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ex01 only, notebooks written; the working directory is the course."""
    monkeypatch.chdir(course_copy)
    trim_catalog(course_copy, 1)
    assert main(["notebooks"]) == 0
    return course_copy


def later(path: Path, than: Path) -> None:
    """Saved after `than` (file times, not the clock: no wait)."""
    stamp = than.stat().st_mtime_ns + 10**9
    os.utime(path, ns=(stamp, stamp))


def test_list_and_run_grade_the_notebook_that_holds_the_latest_work(course, capsys):
    exercise_file, notebook = course / "exercises" / f"{EXERCISE}.py", course / "notebooks" / f"{EXERCISE}.ipynb"
    later(notebook, exercise_file)
    capsys.readouterr()
    assert main(["list"]) == 1  # an untouched notebook, saved later, is not work: the exercise file counts
    assert "graded notebooks/" not in capsys.readouterr().out

    notebook_with(course / "notebooks", {})
    later(notebook, exercise_file)
    assert main(["list"]) == 0
    shown = capsys.readouterr().out
    assert f"{EXERCISE}: graded notebooks/{EXERCISE}.ipynb, your latest work" in shown
    [graded] = json.loads(Course(course).results_file.read_text())["files"]
    assert graded["path"] == str(notebook)
    assert main(["run", EXERCISE]) == 0
    assert f"graded notebooks/{EXERCISE}.ipynb" in capsys.readouterr().out

    later(exercise_file, notebook)  # the stub file saved last counts again
    assert main(["list"]) == 1
    assert "graded notebooks/" not in capsys.readouterr().out


def test_a_notebook_that_cannot_be_read_is_said_and_the_file_graded(course, capsys):
    exercise_file, notebook = course / "exercises" / f"{EXERCISE}.py", course / "notebooks" / f"{EXERCISE}.ipynb"
    notebook.write_text(notebook.read_text()[:300])
    later(notebook, exercise_file)
    capsys.readouterr()
    assert main(["run", EXERCISE]) == 1
    assert f"{EXERCISE}: graded exercises/{EXERCISE}.py, not notebooks/{EXERCISE}.ipynb: " in capsys.readouterr().out


@pytest.mark.slow
def test_grade_counts_the_notebook(course):
    notebook = notebook_with(course / "notebooks", {})
    later(notebook, course / "exercises" / f"{EXERCISE}.py")
    done = run_grader("grade", cwd=course)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{EXERCISE}: graded notebooks/{EXERCISE}.ipynb" in done.stdout
    assert json.loads(Course(course).results_file.read_text())["files"][0]["path"].endswith(".ipynb")


# --- make notebooks installs Jupyter ------------------------------------------------------------


def test_make_notebooks_installs_jupyter_and_the_kernel_through_an_extra(tmp_path):
    venv = tmp_path / "venv"
    stamp = tmp_path / "stamp"
    stamp.touch()
    newest = max((ROOT / name).stat().st_mtime for name in ("pyproject.toml", "requirements.lock"))
    os.utime(stamp, (newest + 1, newest + 1))
    planned = subprocess.run(
        ["make", "-n", "notebooks", f"VENV={venv}", f"STAMP={stamp}"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert planned.returncode == 0, planned.stderr
    assert "-c requirements.lock" in planned.stdout and "-e '.[notebooks]'" in planned.stdout
    assert "-m ipykernel install --sys-prefix --name torchdrill" in planned.stdout
    assert "-m grader notebooks" in planned.stdout
