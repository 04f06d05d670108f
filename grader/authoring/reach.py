"""Which checks reach which function of an exercise, read from the sources (nothing is imported).

A mutant in a function can only change what a check observes if the check's
probe calls that function, or a function of the module that calls it. So a
mutant is graded by those checks alone (`grader.authoring.killing`):

- the module's own call graph: each top-level function or class of the solution
  and the top-level names its code mentions; code at module level runs on
  import, so what it calls reaches every check;
- each probe's uses of the module (`ex.NAME`, as `grader.learner.hints.probed`
  reads them), with those of the suite's helpers it hands the module to
  (`_run(ex, ...)`, `_pair(ex=ex)`). A probe that uses the module any other way
  (`getattr(ex, name)`, `ex` in a worker's arguments) is taken to reach everything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from grader.core.attribution import EVERYTHING, suite_uses

__all__ = ["EVERYTHING", "MODULE_LEVEL", "callers", "reached_from", "reaching", "suite_uses"]

MODULE_LEVEL = "<module>"  # a caller standing for the code a module runs when it is imported


def callers(solution: str) -> dict[str, set[str]]:
    """Top-level name -> the top-level names (and MODULE_LEVEL) whose code mentions it."""
    tree = ast.parse(solution)
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    found: dict[str, set[str]] = {name: set() for name in names}
    for node in tree.body:
        user = node.name if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else MODULE_LEVEL
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and inner.id in names and inner.id != user:
                found[inner.id].add(user)
    return found


def reached_from(owner: str, graph: dict[str, set[str]]) -> set[str]:
    """`owner` and every top-level name that calls it, directly or not."""
    seen, todo = {owner}, [owner]
    while todo:
        for user in graph.get(todo.pop(), ()):
            if user not in seen:
                seen.add(user)
                todo.append(user)
    return seen


def reaching(checks: Iterable[str], uses: dict[str, set[str] | None], names: set[str]) -> list[str]:
    """The checks (probe names, in the order given) that use any of `names` (or cannot say);
    all of them where `names` holds code that runs on import."""
    return [c for c in checks if MODULE_LEVEL in names or (used := uses.get(c, EVERYTHING)) is EVERYTHING or used & names]
