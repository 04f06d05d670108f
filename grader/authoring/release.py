"""The student release: the course as a learner gets it, without solutions/ or hidden checks.

`build(root, out)` writes a folder that grades on its own:

- exercises/ and stubs/: the stubs as the generator makes them from solutions/
  (never the working tree's exercises/, where an instructor may have worked);
  stubs/ is what `reset` restores in a course without solutions;
- catalog.toml: the course's, written again with the first `hints` levels of each
  hint only (the last level teaches the step most plainly: an instructor may keep
  it back);
- data/, conftest.py, pyproject.toml, requirements.lock, .gitignore: as they are;
- docs/: the learners' pages (LEARNER_DOCS); every link of the shipped README and
  pages must resolve inside the release;
- goldens/: the recorded reference outcomes of the visible checks, which grading
  uses in place of solutions/ (refused if stale);
- tests/test_exNN_topic.py: each graded suite with its visible checks only. Hidden
  `@check` functions are cut out of the source (with the comments right above
  them), and so are the module-level helpers, constants and imports that only
  they used; the rest of the file is left as written;
- grader/: the learner's subpackages whole (`core`, `run`, `learner`, and
  `commands` without the instructor's commands); `classroom` and `authoring`
  stay behind, and so do the self-tests that need solutions/. The build refuses
  a shipped module that imports one left behind;
- Makefile and README.md without the instructor's targets, commands and sections.

Never shipped: solutions/, tests/variants/ (variants are solution code), hidden
checks, and anything not listed above. The build checks its own output: the
filtered suites declare exactly the visible checks, and no hidden check's name is
left in them.
"""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from grader.authoring import generate, goldens
from grader.core.checks import Check
from grader.core.course import Course
from grader.core.suites import load_suite

MARKER = ".torchdrill-release"
COPIED_FILES = ("conftest.py", "pyproject.toml", "requirements.lock", ".gitignore")
COPIED_DIRS = ("data", "goldens", ".devcontainer")  # .devcontainer: a ready environment (docs/platforms.md)
LEARNER_DOCS = ("learners.md", "feedback.md", "notebooks.md", "platforms.md")
DEFAULT_HINTS = 2  # hint levels a release ships unless told otherwise
CATALOG_HEADER = (
    "# The course catalog: exercise order, titles and hints (written by `python -m grader release`:\n"
    "# this release ships {hints} of the course's hint levels).\n\n"
)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")  # a Markdown link's target, its anchor aside
DOC_NAMED = re.compile(r"(?<![\w/.])docs/[\w.-]+\.md")  # a page named in the text, from the top of the course
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
PACKAGE = Path(__file__).resolve().parents[1]  # the grader this process runs
SHIPPED_PACKAGES = ("core", "run", "learner", "commands")  # whole, but for the instructor's commands
# Commands and Makefile targets that need solutions/ or serve the instructor.
INSTRUCTOR_COMMANDS = ("generate", "variants", "goldens", "release", "gradescope", "prairielearn", "class", "merge", "report", "mutants")
INSTRUCTOR_TARGETS = ("exercises", "variants", "goldens", "release", "gradescope", "prairielearn", "class", "report", "bench", "mutants")
# Install stamps of pyproject.toml's extras (the report tools, the course's self-test tools): the
# release drops their rules and installs the course alone for every target, `make test` included
# (RELEASE_SELF_TESTS import nothing beyond the course's own packages).
EXTRA_STAMPS = ("$(REPORTS_STAMP)", "$(AUTHORING_STAMP)", "$(TEST_STAMP)")
# The grader's self-tests that run without solutions/: the release's `make test`.
RELEASE_SELF_TESTS = (
    "__init__.py",
    "conftest.py",
    "test_compare.py",
    "test_observations.py",
    "test_executor.py",
    "test_stubs.py",
    "test_references.py",
    "test_lazy_dynamo.py",
)
INSTRUCTOR_HEADING = re.compile(r"\b(authors?|instructors?|releases?|gradescope|prairielearn|class|reports?|benchmarks?|goldens?)\b")
INSTRUCTOR_LINE = re.compile(
    rf"grader ({'|'.join(INSTRUCTOR_COMMANDS)})\b|make ({'|'.join(INSTRUCTOR_TARGETS)})\b|^\s*solutions/|tests/variants"
)
RELEASE_NOTE = (
    "> **Student release.** The reference solutions are not included: your results are compared\n"
    "> with reference observations recorded from them (`goldens/`). Hidden checks are not part of\n"
    "> this release; your instructor grades them.\n"
)


class ReleaseError(RuntimeError):
    """The release cannot be built as asked, or would not be what it claims."""


@dataclass
class Release:
    out: Path
    visible: int = 0
    hidden_removed: int = 0
    modules: list[str] = field(default_factory=list)  # grader modules shipped
    left_out: list[str] = field(default_factory=list)  # grader modules not shipped (self-tests aside)


def build(course: Course, out: Path, hints: int = DEFAULT_HINTS) -> Release:
    """Write the student release of `course` into `out` (replacing an earlier release), with `hints` hint levels."""
    root = course.root
    if hints < 0:
        raise ReleaseError(f"--hints {hints}: give how many hint levels to ship, 0 or more")
    problems = goldens.stale(course)
    if problems:
        raise ReleaseError(f"goldens are stale ({problems[0]}, ...): run python -m grader goldens first")
    _prepare(root, out)
    release = Release(out)
    shipped = Course(out)
    for name in COPIED_FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, out / name)  # copy2: a venv's install stamp stays newer
    for name in COPIED_DIRS:
        shutil.copytree(root / name, out / name, ignore=IGNORED)
    _write_stubs(course, shipped)
    (out / "catalog.toml").write_text(CATALOG_HEADER.format(hints=hints) + tomli_w.dumps(course.catalog.to_dict(hints), multiline_strings=True))
    for exercise in course.catalog.names:
        _write_suite(course, shipped, exercise, release)
    _write_package(out, release)
    (out / "Makefile").write_text(student_makefile((root / "Makefile").read_text()))
    (out / "README.md").write_text(student_readme((root / "README.md").read_text()))
    _write_docs(root, out)
    return release


def _write_stubs(course: Course, shipped: Course) -> None:
    """exercises/ and stubs/ from the generator: the working tree's exercises/ is never read."""
    for folder in (shipped.exercises, shipped.stubs):
        folder.mkdir()
    for stub in generate.plan(course):
        for folder in (shipped.exercises, shipped.stubs):
            (folder / stub.exercise.name).write_text(stub.text)


def _write_docs(root: Path, out: Path) -> None:
    """The learners' pages, then a check that every page the release names is in it."""
    (out / "docs").mkdir()
    for name in LEARNER_DOCS:
        if (root / "docs" / name).is_file():
            shutil.copy2(root / "docs" / name, out / "docs" / name)
    check_links(out)


def check_links(out: Path) -> None:
    """Every link of the release's Markdown, and every docs/ page its text names, resolves inside it."""
    for page in sorted(out.glob("*.md")) + sorted((out / "docs").glob("*.md")):
        text = page.read_text()
        targets = [page.parent / t for t in LINK.findall(text) if "://" not in t] + [out / t for t in DOC_NAMED.findall(text)]
        for target in targets:
            if not target.exists():
                where = target.resolve().relative_to(out.resolve()) if target.resolve().is_relative_to(out.resolve()) else target
                raise ReleaseError(f"{page.relative_to(out)} names {where}, which the student release does not ship")


def _prepare(root: Path, out: Path) -> None:
    """An empty `out`: refuse anything that is not an earlier release, or holds the course."""
    out, course = out.resolve(), root.resolve()
    if out == course or out in course.parents:
        raise ReleaseError(f"{out}: the release folder may not contain the course itself")
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise ReleaseError(f"{out} exists and is not a torchdrill release: not replacing it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    # First: a build that fails half-way leaves a folder the next build may replace.
    (out / MARKER).write_text("torchdrill student release: `python -m grader release` replaces this folder\n")


# --- graded suites ------------------------------------------------------------------------


def _write_suite(course: Course, shipped: Course, exercise: str, release: Release) -> None:
    path = course.suite(exercise)
    checks = load_suite(path)
    hidden = {c.name for c in checks if c.hidden}
    text = visible_suite(path.read_text(), hidden)
    target = shipped.suite(exercise)
    target.parent.mkdir(exist_ok=True)
    target.write_text(text)
    _verify_suite(target, [c for c in checks if not c.hidden], hidden)
    release.visible += len(checks) - len(hidden)
    release.hidden_removed += len(hidden)


def visible_suite(source: str, hidden: set[str]) -> str:
    """The suite's source without the hidden checks and the top-level code only they used."""
    tree = ast.parse(source)
    nodes = tree.body
    removed = [n for n in nodes if isinstance(n, ast.FunctionDef) and n.name in hidden]
    while True:
        kept = [n for n in nodes if n not in removed]
        orphans = [n for n in kept if _only_used_by(n, removed, kept)]
        if not orphans:
            break
        removed += orphans
    lines = source.splitlines(keepends=True)
    dropped: set[int] = set()
    for node in removed:
        dropped.update(range(_first_line(node, lines), node.end_lineno + 1))
    text = "".join(line for number, line in enumerate(lines, start=1) if number not in dropped)
    return re.sub(r"\n{3,}(?=\S)", "\n\n\n", text).rstrip("\n") + "\n"


def _only_used_by(node: ast.stmt, removed: list[ast.stmt], kept: list[ast.stmt]) -> bool:
    """A helper (def, class, assignment, import) whose names only removed code uses."""
    names = _binds(node)
    if not names or isinstance(node, ast.FunctionDef) and _is_check(node):
        return False
    used_by_removed = set().union(*(_uses(n) for n in removed))
    used_by_kept = set().union(*(_uses(n) for n in kept if n is not node))
    return bool(names & used_by_removed) and not names & used_by_kept


def _is_check(node: ast.FunctionDef) -> bool:
    return any(_name_of(d.func if isinstance(d, ast.Call) else d) == "check" for d in node.decorator_list)


def _name_of(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _binds(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


def _uses(node: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _first_line(node: ast.stmt, lines: list[str]) -> int:
    """The node's first line, its decorators and the comment lines right above it included."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    while first > 1 and lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return first


def _verify_suite(path: Path, visible: list[Check], hidden: set[str]) -> None:
    shipped = load_suite(path)
    if sorted(c.name for c in shipped) != sorted(c.name for c in visible) or any(c.hidden for c in shipped):
        raise ReleaseError(f"{path.name}: cutting out the hidden checks did not leave exactly the visible ones")
    text = path.read_text()
    named = sorted(name for name in hidden if re.search(rf"\b{re.escape(name)}\b", text))
    if named:
        raise ReleaseError(f"{path.name} still names hidden checks (in a comment or docstring?): {', '.join(named)}")


# --- the grader package -------------------------------------------------------------------


def _write_package(out: Path, release: Release) -> None:
    target = out / PACKAGE.name
    target.mkdir()
    for name in ("__init__.py", "__main__.py"):
        shutil.copy2(PACKAGE / name, target / name)
    learner_commands = [c for c in _command_names() if c.rstrip("_") not in INSTRUCTOR_COMMANDS]
    left_out = [f"{c}.py" for c in _command_names() if c not in learner_commands]
    for name in SHIPPED_PACKAGES:
        shutil.copytree(PACKAGE / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", *left_out))
    commands = target / "commands" / "__init__.py"
    commands.write_text(with_commands(commands.read_text(), learner_commands))
    (target / "tests").mkdir()
    for name in RELEASE_SELF_TESTS:
        if (PACKAGE / "tests" / name).is_file():
            shutil.copy2(PACKAGE / "tests" / name, target / "tests" / name)
    release.modules = sorted(p.relative_to(out).with_suffix("").as_posix().replace("/", ".") for p in target.rglob("*.py"))
    release.left_out = sorted(
        p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file() and p.name not in (*SHIPPED_PACKAGES, "tests")
    )
    _verify_package(target, release.left_out)


def _verify_package(package: Path, left_out: list[str]) -> None:
    """No shipped module imports a subpackage left behind (or names it in a string, as a lazy import)."""
    banned = tuple(f"{PACKAGE.name}.{name}" for name in left_out)
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name == b or name.startswith(b + ".") for name in names for b in banned):
                where = path.relative_to(package.parent)
                raise ReleaseError(f"{where} imports {names[0]}, which the student release does not ship")


def _command_names() -> list[str]:
    node = _commands_assignment(ast.parse((PACKAGE / "commands" / "__init__.py").read_text()))
    return [ast.literal_eval(element) for element in node.value.elts]


def _commands_assignment(tree: ast.Module) -> ast.Assign:
    for node in tree.body:
        named = isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "COMMANDS" for t in node.targets)
        if named and isinstance(node.value, ast.Tuple):
            return node
    raise ReleaseError("grader/commands/__init__.py: no COMMANDS = (...) tuple to trim")


def with_commands(source: str, commands: list[str]) -> str:
    """The command registry's source with its COMMANDS tuple cut down to `commands`."""
    node = _commands_assignment(ast.parse(source))
    lines = source.splitlines(keepends=True)
    assignment = f"COMMANDS = {tuple(commands)!r}\n"
    return "".join(lines[: node.lineno - 1]) + assignment + "".join(lines[node.end_lineno :])


# --- Makefile and README --------------------------------------------------------------------


def student_makefile(text: str) -> str:
    """The Makefile without the instructor's targets, their help lines, .PHONY entries and variables,
    and without the installs of the extras (a target that needed one needs the course's install)."""
    blocks = []
    for block in text.split("\n\n"):
        rule = next((line for line in block.splitlines() if line and not line.startswith("#")), "")
        if rule.split(":")[0].strip() not in (*INSTRUCTOR_TARGETS, *EXTRA_STAMPS):
            blocks.append("\n".join(_student_line(line) for line in block.splitlines() if not _instructor_help(line)))
    kept = "\n\n".join(blocks)
    unused = {name for name in map(_variable, kept.splitlines()) if name and f"$({name})" not in kept}
    lines = [line for line in kept.splitlines() if _variable(line) not in unused]
    return "\n".join(lines).rstrip("\n") + "\n"


def _variable(line: str) -> str | None:
    """The variable a `NAME ?= value` or `NAME := value` line sets, else None."""
    found = re.match(r"(\w+) [?:]= ", line)
    return found[1] if found else None


def _instructor_help(line: str) -> bool:
    """A help comment for an instructor's target, or the heading of that group."""
    help_line = re.match(r"#\s+make (\w+)", line)
    heading = re.fullmatch(r"# ([A-Za-z ]+)", line)
    return bool(help_line and help_line[1] in INSTRUCTOR_TARGETS or heading and INSTRUCTOR_HEADING.search(line.lower()))


def _student_line(line: str) -> str:
    if line.startswith(".PHONY:"):
        return " ".join(word for word in line.split() if word not in INSTRUCTOR_TARGETS)
    for stamp in EXTRA_STAMPS:
        line = line.replace(stamp, "$(STAMP)")
    return line


def _names_unshipped_doc(line: str) -> bool:
    return any(Path(page).name not in LEARNER_DOCS for page in DOC_NAMED.findall(line))


def student_readme(text: str) -> str:
    """The README without the sections and lines meant for authors and instructors (and lines naming
    their pages), plus a note."""
    sections = re.split(r"(?m)^(?=## )", text)
    kept = [s for s in sections if not (s.startswith("## ") and INSTRUCTOR_HEADING.search(s.splitlines()[0].lower()))]
    lines = [line for line in "".join(kept).splitlines(keepends=True) if not INSTRUCTOR_LINE.search(line) and not _names_unshipped_doc(line)]
    title, _, rest = "".join(lines).partition("\n")
    return f"{title}\n\n{RELEASE_NOTE}{rest}"
