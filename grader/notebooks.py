"""Notebooks: one Jupyter notebook per exercise, and a notebook back to a module.

A generated notebook (`python -m grader notebooks`) holds, for one exercise:

- markdown from the module docstring, the section comments and each docstring;
- a `setup` cell that connects the kernel to the course;
- the module's code: a `preamble` cell (imports, constants), then one code cell
  per stub (function or class), each tagged with the name it defines;
- a last `check` cell that grades the notebook's code inside the notebook.

The tags are the contract. The module is the notebook's tagged code cells, in
notebook order, so a learner may add scratch cells freely: untagged cells are
never graded. `stage` turns a notebook file into a module without starting a
kernel (`python -m grader run ex02_autograd.ipynb`, class grading).

Inside Jupyter, `check` grades the code *as the kernel last ran it*, whether or
not the notebook was saved: for each tagged cell, the last execution of that
cell (found by the cell id the frontend sends) or else the last executed cell
that defines the cell's name; a cell not run since the kernel started counts as
saved in the notebook file. The module is staged in a temporary folder and
graded like any other: references in a trusted process forked from the kernel
(so the kernel's torch state is left alone), each check in its own child.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import signal
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from grader import authoring, catalog
from grader.results import GradedFile, Submission, environment, sha256_of

METADATA_KEY = "torchdrill"
PREAMBLE, SETUP, CHECK = "preamble", "setup", "check"
ROOT_VARIABLE = "TORCHDRILL_ROOT"
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
SECTION = re.compile(r"^#\s*-{2,}\s*(?P<title>.*?)\s*-*\s*$")
# IPython-only lines (magics, shell escapes, `obj?` help) are not Python: they stay as comments.
IPYTHON_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<line>[%!].*|\?{1,2}[\w.]+|[\w.]+\?{1,2})[ \t]*$", re.MULTILINE)
LABEL = re.compile(r"^[A-Z][\w ]{0,24}:\s")  # "Why: ...", "Example: ...": a paragraph of its own
FRESH_COPY = "python -m grader notebooks EX --out fresh/ writes a fresh copy"


class NotebookError(Exception):
    """A notebook that cannot be turned into a module; the message says what to do."""


# --- from a module to notebook parts ---------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One code cell of a generated notebook, with the markdown that introduces it."""

    tag: str  # PREAMBLE, or the name of the function or class the cell defines
    cell_id: str
    code: str
    title: str = ""  # markdown heading of a definition: its signature
    doc: str = ""  # its docstring
    section: str = ""  # a section heading that comes right before it


def split_module(source: str, origin: str = "<module>") -> tuple[str, list[Part]]:
    """The module docstring and the code cells of a stub (or a solution), in file order.

    Top-level functions and classes get a cell each, without their docstring
    (it becomes markdown); runs of other statements (imports, constants) form
    `preamble` cells; `# --- title ---` comments become section headings.
    """
    tree = ast.parse(source, origin)
    lines = source.splitlines(keepends=True)
    docstring = ast.get_docstring(tree, clean=True) or ""
    body = tree.body[1:] if docstring else tree.body
    parts: list[Part] = []
    section = ""
    comment_from: int | None = None  # first line of comments waiting for the next statement
    preamble: tuple[int, int] | None = None  # open run of plain statements: (first line, last line)
    previous_end = (tree.body[0].end_lineno or 0) if docstring else 0

    def close_preamble() -> None:
        nonlocal preamble, section
        if preamble is not None:
            count = sum(p.tag == PREAMBLE for p in parts)
            cell_id = f"{PREAMBLE}-{count + 1}" if count else PREAMBLE
            parts.append(Part(PREAMBLE, cell_id, "".join(lines[preamble[0] - 1 : preamble[1]]), section=section))
            preamble, section = None, ""

    for node in body:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        for number in range(previous_end + 1, start):
            heading = SECTION.match(lines[number - 1])
            if heading:
                close_preamble()
                section, comment_from = heading["title"], None
            elif lines[number - 1].strip() and comment_from is None:
                comment_from = number
        previous_end = _block_end(lines, node.end_lineno or node.lineno)
        if isinstance(node, DEFINITIONS):
            close_preamble()
            parts.append(_definition(node, lines, comment_from or start, previous_end, section))
            section = ""
        else:
            preamble = (preamble[0] if preamble else comment_from or start, previous_end)
        comment_from = None
    close_preamble()
    _check_tags(parts, origin)
    return docstring, parts


def _block_end(lines: list[str], end: int) -> int:
    """The last line of a top-level statement, with the indented comments after it (`# END SOLUTION`)."""
    last = end
    for number in range(end + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.strip() and line[0] not in " \t":
            break
        if line.strip():
            last = number
    return last


def _definition(node: ast.AST, lines: list[str], first_line: int, end: int, section: str) -> Part:
    """A function or class (lines `first_line`..`end`, comments above included); its docstring moves to markdown."""
    assert isinstance(node, DEFINITIONS)
    code = lines[first_line - 1 : end]
    doc = ast.get_docstring(node, clean=True) or ""
    first = node.body[0]
    own_lines = len(node.body) > 1 and not lines[first.lineno - 1][: first.col_offset].strip()
    if doc and own_lines and node.body[1].lineno > (first.end_lineno or first.lineno):
        after = first.end_lineno or first.lineno
        while after < end and not lines[after].strip():
            after += 1
        code = lines[first_line - 1 : first.lineno - 1] + lines[after:end]
    if isinstance(node, ast.ClassDef):
        bases = ", ".join(ast.unparse(base) for base in node.bases)
        title = f"class {node.name}({bases})" if bases else f"class {node.name}"
    else:
        returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
        title = f"{node.name}({ast.unparse(node.args)}){returns}"
    return Part(node.name, node.name, "".join(code), title, doc, section)


def _check_tags(parts: list[Part], origin: str) -> None:
    names = [p.tag for p in parts if p.tag != PREAMBLE]
    for name in names:
        if name in (PREAMBLE, SETUP, CHECK) or names.count(name) > 1:
            raise authoring.AuthoringError(f"{origin}: {name!r} cannot tag a notebook cell (reserved or defined twice)")


# --- building notebooks ----------------------------------------------------------------


def stub_source(root: Path, exercise: str) -> str:
    """The pristine stub: generated from the solution where there is one (a student release has only exercises/)."""
    solution = root / "solutions" / f"{exercise}.py"
    if solution.is_file():
        return authoring.make_stub(solution.read_text(), str(solution.relative_to(root)))
    return (root / "exercises" / f"{exercise}.py").read_text()


def build_notebook(exercise: catalog.Exercise, stub: str) -> nbformat.NotebookNode:
    """The notebook of one exercise, from its stub module."""
    docstring, parts = split_module(stub, f"{exercise.name}.py")
    v4 = nbformat.v4
    cells = [
        v4.new_markdown_cell(f"# {exercise.title}\n\n{_markdown(docstring)}".rstrip(), id="intro"),
        v4.new_markdown_cell(_how_to(exercise.name), id="how-to"),
        _code_cell(SETUP, f"{SETUP_COMMENT}\nfrom grader.notebooks import setup\n\nsetup({exercise.name!r})"),
    ]
    for part in parts:
        if part.section:
            heading = part.section[:1].upper() + part.section[1:]
            cells.append(v4.new_markdown_cell(f"## {heading}", id=f"{part.cell_id}-section"))
        if part.title:
            text = f"### `{part.title}`\n\n{_markdown(part.doc)}".rstrip()
            cells.append(v4.new_markdown_cell(text, id=f"{part.cell_id}-doc"))
        cells.append(_code_cell(part.tag, part.code.rstrip("\n"), part.cell_id))
    cells.append(v4.new_markdown_cell("## Check your work", id="check-doc"))
    cells.append(_code_cell(CHECK, f"{CHECK_COMMENT}\nfrom grader.notebooks import check\n\ncheck({exercise.name!r})"))
    tags = list(dict.fromkeys(p.tag for p in parts))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata.update(
        kernelspec={"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        language_info={"name": "python"},
    )
    notebook.metadata[METADATA_KEY] = {
        "exercise": exercise.name,
        "tags": tags,
        "stub_sha256": _fingerprint(module_text(tagged_cells(notebook, tags))),
    }
    nbformat.validate(notebook)
    return notebook


SETUP_COMMENT = "# Run this cell first. The kernel must be the course's Python environment (see docs/notebooks.md)."
CHECK_COMMENT = "# Grades every check of this exercise on your code, as you last ran it."


def _code_cell(tag: str, source: str, cell_id: str | None = None) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, id=cell_id or tag, metadata={"tags": [tag]})


def _how_to(exercise: str) -> str:
    return (
        f"**How this notebook works** (exercise `{exercise}`). Run the setup cell first. Each code cell "
        "tagged with a name (`preamble`, or the function or class it defines) is part of your module: replace its "
        "`raise NotImplementedError(...)` with your code and run the cell. Keep the tags and the names; "
        "put helpers in the same cell or in the `preamble` cell. Untagged cells are yours for "
        "experiments and are never graded. The last cell grades your code as you last ran it; from a "
        f"terminal: `python -m grader run notebooks/{exercise}.ipynb`. Stuck? `python -m grader hint {exercise} FUNCTION`."
    )


def _markdown(doc: str) -> str:
    """A docstring as markdown: labelled lines ("Why: ...", "Example: ...") start paragraphs."""
    out: list[str] = []
    for line in doc.splitlines():
        if LABEL.match(line) and out and out[-1].strip():
            out.append("")
        out.append(line)
    return "\n".join(out)


def write_notebooks(root: Path, out: Path, exercises: list[str] | None = None, force: bool = False) -> list[Path]:
    """Write one notebook per exercise (catalog order) into `out`; returns those written.

    A notebook that holds the learner's code (its tagged cells differ from the
    stub it was generated from) or cannot be read is kept, unless `force`.
    """
    course = catalog.load(root)
    chosen = [course.find(name) for name in exercises] if exercises else list(course.exercises)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for exercise in chosen:
        path = out / f"{exercise.name}.ipynb"
        if path.exists() and not force and not _untouched(path):
            continue
        nbformat.write(build_notebook(exercise, stub_source(root, exercise.name)), str(path))
        written.append(path)
    return written


def _untouched(path: Path) -> bool:
    try:
        notebook = read_notebook(path)
        recorded = notebook.metadata[METADATA_KEY]["stub_sha256"]
        return _fingerprint(module_text(tagged_cells(notebook, _expected_tags(notebook)))) == recorded
    except (NotebookError, KeyError, TypeError):
        return False


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- from a notebook file to a module ----------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A tagged code cell: part of the learner's module."""

    tags: tuple[str, ...]
    source: str
    cell_id: str = ""

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


def _expected_tags(notebook: nbformat.NotebookNode) -> list[str] | None:
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
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", []) if cell.cell_type == "code" else []
        mine = tuple(t for t in tags if (t in expected if expected is not None else t not in (SETUP, CHECK)))
        if mine:
            cells.append(Cell(mine, cell.source, cell.get("id", "")))
    return cells


def module_cells(notebook: nbformat.NotebookNode, path: Path) -> list[Cell]:
    """`tagged_cells`, or a NotebookError naming every tag that no cell carries."""
    expected = _expected_tags(notebook)
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
    """The module: each cell's code under a comment naming it; IPython-only lines commented out."""
    chunks = [f"# --- cell {cell.label} ---\n{_python_only(cell.source).rstrip()}\n" for cell in cells]
    return "\n\n".join(chunks)


def _python_only(source: str) -> str:
    return IPYTHON_LINE.sub(r"\g<indent># (IPython only) \g<line>", source)


def stage(notebook: Path, folder: Path) -> Path:
    """Write the module of a learner's notebook as `folder/<exercise>.py`; no kernel is started."""
    parsed = read_notebook(notebook)
    exercise = exercise_of(parsed, notebook)
    folder.mkdir(parents=True, exist_ok=True)
    module = folder / f"{exercise}.py"
    module.write_text(module_text(module_cells(parsed, notebook)))
    return module


# --- grading a staged module -------------------------------------------------------------


def grade_staged(root: Path, exercise: str, folder: Path, stop: Callable[[], bool] = lambda: False) -> Submission:
    """Grade `folder/<exercise>.py` against the solutions: a `Submission` (checks in suite order).

    Runs every check on the CPU, and on other devices where they can be used
    from here; `stop` is asked between checks (an interrupt in Jupyter).
    """
    from grader import determinism, devices, suites
    from grader.grading import Grader, References, Target
    from grader.scoring import unscored

    determinism.configure_process()
    target = Target(f"notebook {exercise}", folder)
    grader = Grader(target, References(root / "solutions"))
    results = []
    for declared in suites.load_suite(suites.suite_path(root, exercise)):
        for device in declared.devices:
            if stop():
                break
            reason = _unusable(device, devices.available)
            if reason:
                results.append(unscored(declared, device, "skipped", reason))
            else:
                results.append(grader.grade(declared, device))
    module = target.module_path(exercise)
    return Submission(target.label, results, [GradedFile(exercise, str(module), sha256_of(module))], environment())


def _unusable(device: str, available: Callable[[str], bool]) -> str:
    """Why checks on `device` cannot run here, or "" when they can."""
    if device == "cpu":
        return ""
    torch = sys.modules.get("torch")
    if device.startswith("cuda") and torch is not None and torch.cuda.is_initialized():
        return "needs cuda, which this kernel already uses (a forked process cannot); grade it from a terminal"
    return "" if available(device) else f"needs {device}, and no {device} device is available on this machine"


def _grade_isolated(root: Path, exercise: str, folder: Path) -> tuple[Submission, bool]:
    """`grade_staged` in a process forked from this one, so the kernel's state stays as it was.

    Returns the submission and whether the learner interrupted: an interrupt
    stops grading after the running check, a second one ends it at once.
    """
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _grading_child(root, exercise, folder, write_fd)
    os.close(write_fd)
    try:
        data = _read_answer(read_fd, pid)
    finally:
        os.close(read_fd)
        os.waitpid(pid, 0)
    try:
        answer = json.loads(data)
    except ValueError:
        raise NotebookError("the grading process stopped without an answer") from None
    if "error" in answer:
        raise NotebookError(answer["error"])
    return Submission.from_dict(answer["submission"]), answer["stopped"]


def _grading_child(root: Path, exercise: str, folder: Path, write_fd: int) -> None:
    """Runs in the forked grading process; never returns.

    An interrupt (Jupyter signals the kernel's process group) only sets a flag:
    grading stops after the running check, which its own time limit bounds.
    """
    stopped: list[bool] = []
    try:
        signal.signal(signal.SIGINT, lambda *_: stopped.append(True))
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the kernel's streams are not ours
        submission = grade_staged(root, exercise, folder, stop=lambda: bool(stopped))
        answer = {"submission": submission.to_dict(), "stopped": bool(stopped)}
    except BaseException as error:  # noqa: BLE001 - any failure goes back as a message
        answer = {"error": f"grading failed: {type(error).__name__}: {error}"}
    try:
        view = memoryview(json.dumps(answer).encode())
        while view:
            view = view[os.write(write_fd, view) :]
    finally:
        os._exit(0)


def _read_answer(fd: int, pid: int) -> bytes:
    """Everything the grading process writes; a first interrupt is passed on to it, a second kills it."""
    data, interrupted = bytearray(), False
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except KeyboardInterrupt:
            if interrupted:
                os.kill(pid, signal.SIGKILL)
                raise
            interrupted = True
            os.kill(pid, signal.SIGINT)  # the frontend may have signalled the kernel alone (see _grading_child)
            continue
        if not chunk:
            return bytes(data)
        data += chunk


# --- inside Jupyter ------------------------------------------------------------------------


class _Executions:
    """A `pre_run_cell` hook: every cell the kernel runs, with the id of the frontend's cell.

    JupyterLab, Notebook 7 and VS Code send a cell id with each execution; IPython's
    own history (all there is for cells run before `setup`) has the sources only.
    """

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.entries: list[tuple[str, str]] = [(s, "") for s in shell.history_manager.input_hist_raw[1:]]

    def __call__(self, info: Any) -> None:
        self.entries.append((info.raw_cell, info.cell_id or ""))


_executions: _Executions | None = None


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def executed(shell: Any) -> list[tuple[str, str]]:
    """(source, cell id or "") of each cell the kernel ran, oldest first."""
    if shell is None:
        return []
    if _executions is not None and _executions.shell is shell:
        return _executions.entries
    return [(source, "") for source in shell.history_manager.input_hist_raw[1:]]


def setup(exercise: str) -> None:
    """The notebook's first cell: record executions from now on, and say which course grades it."""
    global _executions
    shell = _shell()
    root = course_root(_find_notebook(exercise, shell, None) or Path.cwd())
    if shell is not None and (_executions is None or _executions.shell is not shell):
        _executions = _Executions(shell)
        shell.events.register("pre_run_cell", _executions)
        if "__file__" in stub_source(root, exercise):
            # The module finds files next to itself; the notebook stands in for exercises/<exercise>.py.
            shell.user_ns.setdefault("__file__", str(root / "exercises" / f"{exercise}.py"))
    print(f"torchdrill: {exercise}, graded by the course at {root}")


def resolve(cells: list[Cell], history: list[tuple[str, str]]) -> list[tuple[Cell, str, bool]]:
    """For each tagged cell: (cell, the source to grade, whether it comes from the kernel).

    The last execution of that very cell (by id); else, for a cell that defines
    its tag's name, the last executed cell defining that name (what the kernel
    holds under that name); else the cell as saved. A source used twice (two
    halves of a split cell matched by one definition) is graded once.
    """
    chosen: list[tuple[Cell, str, bool]] = []
    used: set[int] = set()
    defined = [_defined_names(source) for source, _ in history]
    for cell in cells:
        index = _last_run(cell, history, defined)
        if index is None:
            chosen.append((cell, cell.source, False))
        elif index not in used:
            used.add(index)
            chosen.append((cell, history[index][0], True))
    return chosen


def _last_run(cell: Cell, history: list[tuple[str, str]], defined: list[set[str]]) -> int | None:
    """Where in `history` the kernel last ran this cell (see `resolve`), or None."""
    names = _defined_names(cell.source).intersection(cell.tags)
    by_id = by_definition = None
    for index, (_, cell_id) in enumerate(history):
        if cell.cell_id and cell_id == cell.cell_id:
            by_id = index
        elif names & defined[index]:
            by_definition = index
    return by_id if by_id is not None else by_definition


def _defined_names(source: str) -> set[str]:
    """The functions and classes a cell defines at top level (none if it does not parse)."""
    try:
        tree = ast.parse(_python_only(source))
    except (SyntaxError, ValueError):  # ValueError: null bytes
        return set()
    return {node.name for node in tree.body if isinstance(node, DEFINITIONS)}


def course_root(start: Path) -> Path:
    """The course: $TORCHDRILL_ROOT, else the folder holding catalog.toml above `start`, else the package's."""
    from grader.cli import project_root

    variable = os.environ.get(ROOT_VARIABLE)
    root = Path(variable).expanduser() if variable else project_root(start if start.is_dir() else start.parent)
    if not (root / catalog.CATALOG_FILE).is_file():
        raise NotebookError(
            f"cannot find the course ({catalog.CATALOG_FILE}) from {start}: set {ROOT_VARIABLE} to the course folder"
        )
    return root


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
    from grader import terminal

    shell = _shell()
    try:
        path = _find_notebook(exercise, shell, notebook)
        root = course_root(path or Path.cwd())
        entry = catalog.load(root).find(exercise)
        exercise = entry.name
        if path is not None:
            cells, origin = module_cells(read_notebook(path), path), f"as saved in {path.name}"
        else:
            template = build_notebook(entry, stub_source(root, exercise))
            cells, origin = tagged_cells(template, _expected_tags(template)), "as stubs (notebook file not found)"
        chosen = resolve(cells, executed(shell))
        with tempfile.TemporaryDirectory(prefix="torchdrill-notebook-") as folder:
            module = Path(folder) / f"{exercise}.py"
            module.write_text(module_text([Cell(cell.tags, source) for cell, source, _ in chosen]))
            submission, stopped = _grade_isolated(root, exercise, Path(folder))
    except (NotebookError, KeyError, FileNotFoundError, authoring.AuthoringError) as error:
        print(f"torchdrill: {error.args[0] if error.args else error}")
        return
    ran = sum(from_kernel for _, _, from_kernel in chosen)
    print(f"{exercise}: graded {len(chosen)} tagged cells, {ran} as last run in this kernel, {len(chosen) - ran} {origin}")
    print(terminal.render(submission, details=True, color=True), end="")
    if stopped:
        print(f"interrupted: stopped after {len(submission.checks)} check(s); run the cell again for all of them")

