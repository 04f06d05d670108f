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


MODULE_LEVEL = "<module>"  # a caller standing for the code a module runs when it is imported
EVERYTHING = None  # a probe whose uses cannot be followed


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


def suite_uses(suite: str) -> dict[str, set[str] | None]:
    """Suite function -> the module names it uses through its first parameter, helpers included
    (EVERYTHING: it uses the module in a way this cannot follow)."""
    functions = {n.name: n for n in ast.parse(suite).body if isinstance(n, ast.FunctionDef) and n.args.args}
    memo: dict[tuple[str, str], set[str] | None] = {}

    def uses(name: str, parameter: str, stack: frozenset[tuple[str, str]]) -> set[str] | None:
        key = (name, parameter)
        if key in stack:
            return set()
        if key not in memo:
            found: set[str] | None = set()
            for step in _steps(functions[name], parameter, functions):
                more = step if isinstance(step, set) or step is EVERYTHING else uses(*step, stack | {key})
                if more is EVERYTHING:
                    found = EVERYTHING
                    break
                found |= more
            memo[key] = found
        return memo[key]

    return {name: uses(name, node.args.args[0].arg, frozenset()) for name, node in functions.items()}


Step = set[str] | tuple[str, str] | None


def _steps(function: ast.FunctionDef, parameter: str, helpers: dict[str, ast.FunctionDef]) -> list[Step]:
    """What `function` does with its `parameter` (the module): names it reads ({NAME}), helpers it
    hands it to ((helper, their parameter)), or EVERYTHING for any other use."""
    parents = {child: node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}
    steps: list[Step] = []
    for node in ast.walk(function):
        if not (isinstance(node, ast.Name) and node.id == parameter and isinstance(node.ctx, ast.Load)):
            continue
        parent = parents[node]
        call = parents.get(parent) if isinstance(parent, ast.keyword) else parent
        helper = call.func.id if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in helpers else ""
        if isinstance(parent, ast.Attribute):
            steps.append({parent.attr})
        elif helper and isinstance(parent, ast.keyword):
            named = {a.arg for a in (*helpers[helper].args.args, *helpers[helper].args.kwonlyargs)}
            steps.append((helper, parent.arg) if parent.arg in named else EVERYTHING)
        elif helper and node in call.args:
            positional, index = helpers[helper].args.args, call.args.index(node)
            steps.append((helper, positional[index].arg) if index < len(positional) else EVERYTHING)
        else:
            steps.append(EVERYTHING)
    return steps


def reaching(checks: Iterable[str], uses: dict[str, set[str] | None], names: set[str]) -> list[str]:
    """The checks (probe names, in the order given) that use any of `names` (or cannot say);
    all of them where `names` holds code that runs on import."""
    return [c for c in checks if MODULE_LEVEL in names or (used := uses.get(c, EVERYTHING)) is EVERYTHING or used & names]
