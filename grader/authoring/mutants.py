"""Mutants of a reference solution: small, plausible faults that the checks should catch.

A mutant changes one thing inside one `# BEGIN SOLUTION` … `# END SOLUTION` region
(`grader.core.stubs`): the code a learner writes. Mutation testing asks of every
mutant whether some check of its exercise stops passing; one that no check notices
(a *survivor*) shows a mistake a learner could make unnoticed, or an equivalent
rewrite (`grader.authoring.killing` grades them, `docs/mutants.md` explains).

Mutants are made on the solution's `ast` by the operators of
`grader.authoring.operators`, each one's source replacing only the source segment
of what it changes: the rest of the file stays byte-identical and every line keeps
its number, so a traceback in a mutant points at the solution's own lines. A
mutant whose source does not compile is dropped.

Ids are stable across runs: `exercise:function:L<line>:<change>#<n>`, where `n`
counts the mutants with the same prefix in source order
(`ex02_autograd:double_square_grad:L24:mult->add#0`).
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from grader.authoring.operators import OPERATORS, Change, Edit, Operator, Parents, Source
from grader.authoring.reach import MODULE_LEVEL
from grader.core.stubs import BEGIN, END, make_stub


@dataclass(frozen=True)
class Mutant:
    id: str
    exercise: str
    function: str  # where the region is: `double_square_grad`, `LegendreP3.forward`
    owner: str  # the module's top-level function or class holding it (what probes call)
    line: int
    operator: Operator
    description: str
    edit: Edit
    before: str  # the mutated line(s), as in the solution
    after: str  # the same line(s) in the mutant

    def source(self, solution: str) -> str:
        return self.edit.apply(solution)


# --- regions, owners, mutants ---------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    begin: int  # the line of `# BEGIN SOLUTION`
    end: int  # the line of `# END SOLUTION`
    function: str  # the qualified name of the function holding it
    owner: str  # the top-level function or class holding it

    def holds(self, node: ast.AST) -> bool:
        return self.begin < node.lineno and node.end_lineno < self.end


def regions(source: str, origin: str = "<solution>") -> list[Region]:
    """The solution regions, each with the innermost function (or class) that holds its BEGIN marker."""
    make_stub(source, origin)  # raises AuthoringError where the markers do not pair up
    lines = source.splitlines()
    begins = [n for n, line in enumerate(lines, 1) if BEGIN.match(line)]
    ends = [n for n, line in enumerate(lines, 1) if END.match(line)]
    holders = list(_definitions(ast.parse(source).body, "", ""))
    found = []
    for begin, end in zip(begins, ends, strict=True):
        inside = [(qualname, owner) for qualname, owner, node in holders if node.lineno < begin <= node.end_lineno]
        qualname, owner = inside[-1] if inside else (MODULE_LEVEL, MODULE_LEVEL)
        found.append(Region(begin, end, qualname, owner))
    return found


def _definitions(body: list[ast.stmt], prefix: str, owner: str) -> Iterator[tuple[str, str, ast.AST]]:
    """(qualified name, top-level owner, node) of every def and class, outer ones first."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            qualname = f"{prefix}{node.name}"
            yield qualname, owner or node.name, node
            yield from _definitions(node.body, f"{qualname}.", owner or node.name)


def make_mutants(exercise: str, solution: str, origin: str = "<solution>") -> list[Mutant]:
    """Every mutant of the solution's regions that compiles, in source order, with stable ids."""
    src = Source(solution)
    tree = ast.parse(solution)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = regions(solution, origin)
    changes: list[tuple[Region, Change]] = []
    for node in ast.walk(tree):
        region = next((r for r in found if hasattr(node, "end_lineno") and r.holds(node)), None)
        # Inside an f-string, positions are not reliable before Python 3.12: left alone.
        if region is not None and not any(isinstance(p, ast.JoinedStr) for p in _ancestors(node, parents)):
            changes += [(region, change) for operator in OPERATORS for change in operator(node, src, parents)]
    kinds = list(Operator)
    changes.sort(key=lambda item: (item[1].edit.start, kinds.index(item[1].operator), item[1].edit.end))
    seen: Counter[str] = Counter()
    mutants = []
    for region, change in changes:
        line = src.line_of(change.edit.start)
        prefix = f"{exercise}:{region.function}:L{line}:{change.tag}"
        mutant = _mutant(f"{prefix}#{seen[prefix]}", exercise, region, line, change, src)
        seen[prefix] += 1
        if mutant is not None:
            mutants.append(mutant)
    return mutants


def _ancestors(node: ast.AST, parents: Parents) -> Iterator[ast.AST]:
    while node in parents:
        node = parents[node]
        yield node


def _mutant(id_: str, exercise: str, region: Region, line: int, change: Change, src: Source) -> Mutant | None:
    """The mutant, with its lines before and after (on one line each), or None if it does not compile."""
    mutated = change.edit.apply(src.text)
    try:
        compile(mutated, f"{exercise}.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    last = src.line_of(max(change.edit.start, change.edit.end - 1))
    before = " ".join(text.strip() for text in src.lines[line - 1 : last])
    after = " ".join(text.strip().removesuffix("\\") for text in mutated.splitlines()[line - 1 : last])
    operator, description = change.operator, change.description
    return Mutant(id_, exercise, region.function, region.owner, line, operator, description, change.edit, before, " ".join(after.split()))
