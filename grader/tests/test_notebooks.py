"""Notebooks: generated per exercise, staged back to modules, graded in a real Jupyter kernel."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from grader.commands import main
from grader.core.suites import load_suite
from grader.learner.notebooks import build, kernel, stage
from grader.learner.notebooks.stage import Cell, NotebookError
from grader.tests.conftest import COURSE, ROOT, size_here

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every exercise's notebook, written once for the tests that only read them."""
    out = tmp_path_factory.mktemp("notebooks")
    build.write_notebooks(COURSE, out)
    return out


def solution_parts(exercise: str) -> dict[str, str]:
    _, parts = build.split_module((ROOT / "solutions" / f"{exercise}.py").read_text())
    return {part.cell_id: part.code for part in parts}


def with_solutions(notebook: nbformat.NotebookNode, exercise: str) -> nbformat.NotebookNode:
    """The solution's functions pasted into the notebook's tagged cells (generated ids are the tags),
    below the first line of a preamble cell, as a learner keeps it."""
    code = solution_parts(exercise)
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.id in code:
            mark = kernel.first_comment(cell.source)
            cell.source = f"{mark}\n{code[cell.id]}" if mark and stage.PREAMBLE in cell.metadata.tags else code[cell.id]
    return notebook


def without_docstrings(source: str) -> str:
    """The module's syntax tree, docstrings removed (they move to markdown)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


# --- generation ---------------------------------------------------------------------------


def test_every_exercise_gets_a_valid_notebook_with_one_tagged_cell_per_stub(generated):
    names = COURSE.catalog.names
    assert sorted(p.stem for p in generated.glob("*.ipynb")) == sorted(names)
    for name in names:
        notebook = nbformat.read(generated / f"{name}.ipynb", as_version=4)
        nbformat.validate(notebook)
        stub = ast.parse(COURSE.stub(name))
        defined = [n.name for n in stub.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        code = [c for c in notebook.cells if c.cell_type == "code"]
        tags = [c.metadata["tags"][0] for c in code]
        assert tags == ["setup", "preamble", *defined, "check"], name
        assert notebook.metadata["torchdrill"]["exercise"] == name
        assert f"check({name!r})" in code[-1].source and f"setup({name!r})" in code[0].source
        markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        assert all(f"`{d}" in markdown or f"`class {d}" in markdown for d in defined), name


def test_docstrings_become_markdown_and_sections_headings(generated):
    notebook = nbformat.read(generated / "ex01_tensors.ipynb", as_version=4)
    cells = {c.id: c for c in notebook.cells}
    assert cells["tensor_from_list-doc"].source.startswith("### `tensor_from_list(values: list) -> torch.Tensor`")
    assert "\n\nWhy: `torch.tensor` infers the dtype" in cells["tensor_from_list-doc"].source
    assert '"""' not in cells["tensor_from_list"].source
    assert "raise NotImplementedError('tensor_from_list')" in cells["tensor_from_list"].source
    assert cells["tensor_from_list-section"].source == "## Creation"


@pytest.mark.parametrize("exercise", COURSE.catalog.names)
def test_cells_stage_back_to_the_stub_and_to_the_solution(generated, tmp_path, exercise):
    """Lossless both ways: untouched cells are the stub; solution code in the cells is the solution."""
    path = generated / f"{exercise}.ipynb"
    staged = stage.stage(path, tmp_path / "stub")
    assert staged == tmp_path / "stub" / f"{exercise}.py"
    assert without_docstrings(staged.read_text()) == without_docstrings(COURSE.stub(exercise))
    filled = tmp_path / f"{exercise}.ipynb"
    nbformat.write(with_solutions(nbformat.read(path, as_version=4), exercise), str(filled))
    solution = (ROOT / "solutions" / f"{exercise}.py").read_text()
    assert without_docstrings(stage.stage(filled, tmp_path / "solution").read_text()) == without_docstrings(solution)


@pytest.mark.parametrize("exercise", ["ex01_tensors", "ex03_modules"])
def test_solution_code_in_the_notebook_passes_every_check(generated, tmp_path, exercise):
    notebook = with_solutions(nbformat.read(generated / f"{exercise}.ipynb", as_version=4), exercise)
    nbformat.write(notebook, str(tmp_path / f"{exercise}.ipynb"))
    stage.stage(tmp_path / f"{exercise}.ipynb", tmp_path / "staged")
    submission = kernel.grade_staged(COURSE, exercise, tmp_path / "staged")
    ran = [c for c in submission.checks if c.status != "skipped"]  # a GPU run is skipped where there is none
    assert len(ran) == size_here(exercise).checks
    assert {c.status for c in ran} == {"passed"}, [c.message for c in ran]


def test_an_untouched_notebook_is_not_started(generated, tmp_path):
    stage.stage(generated / "ex02_autograd.ipynb", tmp_path)
    submission = kernel.grade_staged(COURSE, "ex02_autograd", tmp_path)
    assert submission.checks and {c.status for c in submission.checks if c.status != "skipped"} == {"not_started"}


def test_the_command_keeps_a_notebook_with_work_unless_forced(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "nb"
    assert main(["notebooks", "ex01", "ex02", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["ex01_tensors.ipynb", "ex02_autograd.ipynb"]
    worked = out / "ex01_tensors.ipynb"
    notebook = nbformat.read(worked, as_version=4)
    next(c for c in notebook.cells if c.id == "row").source = "def row(x, i):\n    return x[i]\n"
    nbformat.write(notebook, str(worked))
    capsys.readouterr()
    assert main(["notebooks", "ex01", "ex02", "--out", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "ex01_tensors.ipynb: it holds your code" in shown and "wrote " in shown and "ex02_autograd.ipynb" in shown
    assert "return x[i]" in worked.read_text()
    assert main(["notebooks", "ex01", "--out", str(out), "--force"]) == 0
    assert "return x[i]" not in worked.read_text()


# --- clear messages ------------------------------------------------------------------------


def test_invalid_json_says_where_and_what_to_do(generated, tmp_path):
    broken = tmp_path / "ex01_tensors.ipynb"
    broken.write_text((generated / "ex01_tensors.ipynb").read_text()[:500])
    with pytest.raises(NotebookError, match=r"ex01_tensors.ipynb is not valid JSON \(line \d+, column \d+") as error:
        stage.stage(broken, tmp_path)
    assert "save it again" in str(error.value) and "python -m grader notebooks" in str(error.value)


@pytest.mark.parametrize("content", ['{"hello": "world"}', "[1, 2, 3]", '{"nbformat": 4, "nbformat_minor": 5, "cells": 3}'])
def test_json_that_is_not_a_notebook_is_refused(tmp_path, content):
    path = tmp_path / "ex01_tensors.ipynb"
    path.write_text(content)
    with pytest.raises(NotebookError, match=r"is JSON but not a Jupyter notebook \(nbformat.validate failed"):
        stage.stage(path, tmp_path)


def test_a_missing_tagged_cell_is_named(generated, tmp_path):
    notebook = nbformat.read(generated / "ex02_autograd.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.id in ("double_no_grad", "preamble"):
            cell.metadata["tags"] = []
    path = tmp_path / "ex02_autograd.ipynb"
    nbformat.write(notebook, str(path))
    with pytest.raises(NotebookError) as error:
        stage.stage(path, tmp_path)
    message = str(error.value)
    assert "missing tagged cell for 'preamble' (imports and constants), 'double_no_grad' (defines double_no_grad)" in message
    assert "add the tag back" in message


def test_no_exercise_name_in_metadata_or_file_name(generated, tmp_path):
    notebook = nbformat.read(generated / "ex01_tensors.ipynb", as_version=4)
    del notebook.metadata["torchdrill"]
    renamed = tmp_path / "ex01_tensors.ipynb"
    nbformat.write(notebook, str(renamed))
    assert stage.stage(renamed, tmp_path / "a").name == "ex01_tensors.py"  # the file name serves
    odd = tmp_path / "my work (1).ipynb"
    nbformat.write(notebook, str(odd))
    with pytest.raises(NotebookError, match="no exercise name"):
        stage.stage(odd, tmp_path / "b")


def test_ipython_lines_are_kept_as_comments(tmp_path):
    cells = [Cell(("f",), "%timeit 1\n!ls\ndef f(x):\n    return x\nf?\n", "f")]
    text = stage.module_text(cells)
    assert "# (IPython only) %timeit 1" in text and "# (IPython only) !ls" in text and "# (IPython only) f?" in text
    compile(text, "staged", "exec")


# --- which code the check cell grades ---------------------------------------------------------


def test_the_kernel_grades_cells_as_last_run():
    saved = [
        Cell(("preamble",), "import torch\n", "preamble"),
        Cell(("double",), "def double(x):\n    raise NotImplementedError\n", "double"),
        Cell(("half",), "def half(x):\n    raise NotImplementedError\n", "half"),
        Cell(("half",), "HELPER = 2\n", "split-off"),
        Cell(("triple",), "def triple(x):\n    raise NotImplementedError\n", "triple"),
    ]
    history = [
        kernel.Execution("import torch\nimport math\n", "preamble", 1),  # run, not saved: found by its cell id
        kernel.Execution("def double(x):\n    return x + x\n", "", 2),  # no cell ids (nbclient, plain IPython): by definition
        kernel.Execution("def double(x):\n    return 2 * x\n", "", 3),
        kernel.Execution("def half(x):\n    return x / HELPER\n", "half", 4),
        kernel.Execution("def triple(x) syntax error", "", 5),  # never defined `triple` in the kernel
        kernel.Execution("double(3)", "", 6),  # scratch
    ]
    chosen = [(cell.cell_id, cell.source, cell.run, ran) for cell, ran in kernel.resolve(saved, history)]
    assert chosen == [
        ("preamble", "import torch\nimport math\n", 1, True),
        ("double", "def double(x):\n    return 2 * x\n", 3, True),
        ("half", "def half(x):\n    return x / HELPER\n", 4, True),
        ("split-off", "HELPER = 2\n", None, False),
        ("triple", "def triple(x):\n    raise NotImplementedError\n", None, False),
    ]


def printed(cell: nbformat.NotebookNode) -> str:
    """A cell's text output: streams, and plain text of displays (rich shows its prints as displays in Jupyter)."""
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", []))


@pytest.mark.slow
def test_check_cell_in_a_real_jupyter_kernel_grades_the_unsaved_code(tmp_path, monkeypatch):
    """The notebook on disk is untouched; the kernel runs solution code in its cells, then the check cell."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    spec = tmp_path / "kernels" / "torchdrill-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "torchdrill", "language": "python"}))
    for variable in ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))  # nothing of the user's Jupyter setup
    for variable in ("JPY_SESSION_NAME", kernel.ROOT_VARIABLE):
        monkeypatch.delenv(variable, raising=False)
    work = tmp_path / "work"
    [path] = build.write_notebooks(COURSE, work, ["ex01_tensors"])
    notebook = with_solutions(nbformat.read(path, as_version=4), "ex01_tensors")
    cells = {c.get("id"): c for c in notebook.cells}
    cells["preamble"].source += "\nOFFSET = 0\n"  # nbclient sends no cell ids: the edited preamble is found by its first line
    cells["row"].source = cells["row"].source.replace("x[i]", "x[i + OFFSET]")
    notebook.cells.append(nbformat.v4.new_code_cell("print('deterministic', torch.are_deterministic_algorithms_enabled())"))
    manager = KernelManager(kernel_name="torchdrill-test", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec.parent)]))
    NotebookClient(notebook, km=manager, timeout=120, resources={"metadata": {"path": str(work)}}).execute()

    outputs = {c.id: printed(c) for c in notebook.cells if c.cell_type == "code"}
    assert f"graded by the course at {ROOT}" in outputs["setup"]
    shown = ANSI.sub("", outputs["check"])
    checks, runs = load_suite(COURSE.suite("ex01_tensors")), size_here("ex01_tensors").checks
    tags = len(json.loads(path.read_text())["metadata"]["torchdrill"]["tags"])
    assert f"graded {tags} tagged cells, {tags} as last run in this kernel, 0 as saved in ex01_tensors.ipynb" in shown
    assert re.search(rf"ex01_tensors\s*│\s*{runs}/{runs}\s*│.*done", shown), shown
    assert all(f"✓ {c.name}" in shown for c in checks) and "✗" not in shown
    assert outputs[notebook.cells[-1].id].strip() == "deterministic False"  # the kernel's torch state is its own
