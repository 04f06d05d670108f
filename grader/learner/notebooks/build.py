"""Building notebooks: one Jupyter notebook per exercise, from its stub module.

A generated notebook holds, for one exercise:

- markdown from the module docstring, the section comments and each docstring;
- a `setup` cell that connects the kernel to the course;
- the module's code: a `preamble` cell (imports, constants; its first line, a
  comment, tells the kernel which cell it is), then one code cell per stub
  (function or class), each tagged with the name it defines;
- a last `check` cell that grades the notebook's code inside the notebook.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.core.catalog import Exercise
from grader.core.course import Course
from grader.core.stubs import AuthoringError
from grader.learner.notebooks.stage import (
    CHECK,
    DEFINITIONS,
    METADATA_KEY,
    PREAMBLE,
    SETUP,
    Cell,
    expected_tags,
    python_only,
    tagged_cells,
)

SECTION = re.compile(r"^#\s*-{2,}\s*(?P<title>.*?)\s*-*\s*$")
LABEL = re.compile(r"^[A-Z][\w ]{0,24}:\s")  # "Why: ...", "Example: ...": a paragraph of its own


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
            raise AuthoringError(f"{origin}: {name!r} cannot tag a notebook cell (reserved or defined twice)")


def build_notebook(exercise: Exercise, stub: str) -> nbformat.NotebookNode:
    """The notebook of one exercise, from its stub module."""
    docstring, parts = split_module(stub, f"{exercise.name}.py")
    v4 = nbformat.v4
    cells = [
        v4.new_markdown_cell(f"# {exercise.title}\n\n{_markdown(docstring)}".rstrip(), id="intro"),
        v4.new_markdown_cell(_how_to(exercise.name), id="how-to"),
        _code_cell(SETUP, f"{SETUP_COMMENT}\nfrom grader.learner.notebooks import setup\n\nsetup({exercise.name!r})"),
    ]
    for part in parts:
        if part.section:
            heading = part.section[:1].upper() + part.section[1:]
            cells.append(v4.new_markdown_cell(f"## {heading}", id=f"{part.cell_id}-section"))
        if part.title:
            text = f"### `{part.title}`\n\n{_markdown(part.doc)}".rstrip()
            cells.append(v4.new_markdown_cell(text, id=f"{part.cell_id}-doc"))
        code = part.code.rstrip("\n")
        if part.tag == PREAMBLE:  # how the kernel knows a run of this cell where the frontend sends no cell id
            code = f"# {part.cell_id}: {PREAMBLE_COMMENT}\n{code}"
        cells.append(_code_cell(part.tag, code, part.cell_id))
    cells.append(v4.new_markdown_cell("## Check your work", id="check-doc"))
    cells.append(_code_cell(CHECK, f"{CHECK_COMMENT}\nfrom grader.learner.notebooks import check\n\ncheck({exercise.name!r})"))
    tags = list(dict.fromkeys(p.tag for p in parts))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata.update(
        kernelspec={"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        language_info={"name": "python"},
    )
    notebook.metadata[METADATA_KEY] = {
        "exercise": exercise.name,
        "tags": tags,
        "stub_sha256": fingerprint(tagged_cells(notebook, tags)),
    }
    nbformat.validate(notebook)
    return notebook


PREAMBLE_COMMENT = "imports, constants and your helpers. Keep this first line: it tells the grader which cell this is."
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


def write_notebooks(course: Course, out: Path, exercises: list[str] | None = None, force: bool = False) -> list[Path]:
    """Write one notebook per exercise (catalog order) into `out`; returns those written.

    A notebook that holds the learner's code (see `holds_work`) is kept, unless `force`.
    """
    chosen = [course.catalog.find(name) for name in exercises] if exercises else list(course.catalog.exercises)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for exercise in chosen:
        path = out / f"{exercise.name}.ipynb"
        if path.exists() and not force and holds_work(path):
            continue
        nbformat.write(build_notebook(exercise, course.stub(exercise.name)), str(path))
        written.append(path)
    return written


def holds_work(path: Path) -> bool:
    """Whether a notebook holds the learner's code: its tagged cells differ from those it was generated
    with (their fingerprint is in its metadata), or it cannot be read as a generated notebook.

    Reads the JSON without validating it (`list` asks this of every notebook newer than its exercise file).
    """
    try:
        notebook = nbformat.reader.reads(path.read_bytes())
        recorded = notebook.metadata[METADATA_KEY]["stub_sha256"]
        return fingerprint(tagged_cells(notebook, expected_tags(notebook))) != recorded
    except Exception:  # noqa: BLE001 - damaged in any way (not JSON, missing fields, nested too deep): not ours to replace
        return True


def fingerprint(cells: list[Cell]) -> str:
    """The code of the tagged cells and their tags, not where they are or when they ran: hashed as in
    earlier versions, so that their untouched notebooks are still recognised."""
    text = "\n\n".join(f"# --- cell {cell.label} ---\n{python_only(cell.source).rstrip()}\n" for cell in cells)
    return hashlib.sha256(text.encode()).hexdigest()
