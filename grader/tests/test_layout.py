"""The package's layout is its architecture (docs/architecture.md): checked, so it stays so."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
# Which subpackages each may import (data flows one way); commands import what they serve.
ALLOWED = {
    "core": {"core"},
    "run": {"core", "run"},
    "learner": {"core", "run", "learner"},
    "classroom": {"core", "run", "learner", "classroom"},
    "authoring": {"core", "run", "learner", "classroom", "authoring"},
    "commands": {"core", "run", "learner", "classroom", "authoring", "commands"},
}
LONGEST = 420  # lines: a module over this does several jobs


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "tests" not in p.relative_to(PACKAGE).parts)


def imported(path: Path) -> set[str]:
    """The grader subpackages a module imports (at the top or inside a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        for name in names:
            parts = name.split(".")
            if parts[0] == "grader" and len(parts) > 1:
                found.add(parts[1])
            elif parts[0] == "grader" and isinstance(node, ast.ImportFrom):
                found |= {a.name for a in node.names if (PACKAGE / a.name).is_dir()}
    return found


def test_the_top_level_holds_subpackages_and_little_else():
    files = sorted(p.name for p in PACKAGE.iterdir() if p.is_file())
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert files == ["__init__.py", "__main__.py"]
    assert folders == sorted([*ALLOWED, "tests"])


def test_data_flows_one_way_between_subpackages():
    wrong = []
    for path in modules():
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2:
            continue
        owner = parts[0]
        wrong += [f"{path.relative_to(PACKAGE)} imports grader.{name}" for name in imported(path) - ALLOWED[owner]]
    assert wrong == []


def test_no_module_does_several_jobs():
    long = {str(p.relative_to(PACKAGE)): n for p in modules() if (n := len(p.read_text().splitlines())) > LONGEST}
    assert long == {}


def test_one_place_forks():
    forking = [str(p.relative_to(PACKAGE)) for p in modules() if "os.fork(" in p.read_text()]
    assert forking == ["run/fork.py"]
