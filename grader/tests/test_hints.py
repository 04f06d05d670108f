"""No hint gives the solution away.

Each stubbed function has three hint levels in `catalog.toml`: a nudge, the key
idea, then the step taught in words (the API, the shape of the computation, a
small example on other values). None of them may paste the code the learner is
asked to write. For every line of the function's SOLUTION regions (comments
dropped), no level may contain, whitespace and case aside:

- the line itself, or the value it returns or assigns, or one element of that
  value when it is a tuple (`torch.zeros(rows, cols)` out of
  `return torch.zeros(rows, cols), torch.ones(...)`), when that text has at
  least MIN_LINE characters;
- a `return ...` line of the solution, however short (`return x[i]`).

Too generic to count: `return` of a bare name (`return self`, `return model`),
a call without arguments (`model.eval()`, `dist.barrier()`: naming the API is
what a hint does), and plain names (`model.classifier`, `image, label`).
"""

from __future__ import annotations

import ast
import re

import pytest

from grader.core import stubs
from grader.core.course import Course
from grader.tests.conftest import ROOT

COURSE = Course(ROOT)
NAMES = COURSE.catalog.names
LEVELS = 3
MIN_LINE = 12  # `return self`, `pass`, `x = t(x)`: too short and generic to give anything away
BARE_RETURN = re.compile(r"^return(\s+[A-Za-z_]\w*)?$")  # `return`, `return self`, `return model`
API_CALL = re.compile(r"^[A-Za-z_][\w.]*\(\)$")  # `model.eval()`, `dist.barrier()`: naming the API, not the step


def without_comment(line: str) -> str:
    """The code of a line, without a trailing `# ...` comment (a `#` inside a string stays)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote and line[i - 1] != "\\":
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#":
            return line[:i]
    return line


def spaced(text: str) -> str:
    """Runs of whitespace as one space, none at the ends."""
    return " ".join(text.split())


def squeezed(text: str) -> str:
    """No whitespace and no case: `a@b` and `a @ b` compare equal, and so do `min(nrow, n)` and `min(nrow, N)`."""
    return "".join(text.split()).lower()


def solution_lines(exercise: str) -> dict[str, list[str]]:
    """Top-level function or class -> the code lines of its SOLUTION regions (whitespace-normalised)."""
    source = COURSE.solution(exercise).read_text()
    lines = source.splitlines()
    inside: list[tuple[int, str]] = []
    opened = False
    for number, line in enumerate(lines, start=1):
        if stubs.BEGIN.match(line):
            opened = True
        elif stubs.END.match(line):
            opened = False
        elif opened:
            code = spaced(without_comment(line))
            if code:
                inside.append((number, code))
    found: dict[str, list[str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            mine = [code for number, code in inside if node.lineno <= number <= node.end_lineno]
            if mine:
                found[node.name] = mine
    return found


def top_level_parts(expression: str) -> list[str]:
    """`a(x, y), b[1, 2]` -> [`a(x, y)`, `b[1, 2]`]: split at the commas outside brackets and strings."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(expression):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(expression[start:i].strip())
            start = i + 1
    parts.append(expression[start:].strip())
    return [p for p in parts if p]


ASSIGNMENT = re.compile(r"^[\w.\[\], ]+? (?:[-+*/@]|//|\*\*)?= (?P<value>.+)$")  # `a, b = ...`, not `key=value,`
NAME = re.compile(r"^[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*$")  # `model.classifier`, `image, label`: names, not code


def pieces(line: str) -> list[str]:
    """A solution line and the code it is made of: a returned or assigned value, each element of a tuple."""
    found = [line]
    value = line.removeprefix("return ") if line.startswith("return ") else None
    if value is None and (assigned := ASSIGNMENT.match(line)):
        value = assigned["value"]
    if value:
        found.append(value)
        found.extend(top_level_parts(value))
    return list(dict.fromkeys(found))


def leaks(hint: str, lines: list[str]) -> list[str]:
    """The solution lines that `hint` gives away, whole or as the value they return or assign."""
    text = squeezed(hint)
    given = []
    for line in lines:
        if BARE_RETURN.match(line):
            continue
        if line.startswith("return ") and squeezed(line) in text:
            given.append(line)
            continue
        for piece in pieces(line):
            generic = len(piece) < MIN_LINE or API_CALL.match(piece) or NAME.match(piece)
            if not generic and squeezed(piece) in text:
                given.append(line)
                break
    return given


CASES = [
    (exercise, function, lines)
    for exercise in NAMES
    for function, lines in sorted(solution_lines(exercise).items())
]


@pytest.mark.parametrize("exercise", NAMES)
def test_every_stubbed_function_has_three_non_empty_levels(exercise):
    hints = COURSE.catalog.find(exercise).hints
    stubbed = set(solution_lines(exercise))
    assert stubbed, f"{exercise}: no SOLUTION region found"
    assert sorted(stubbed - set(hints)) == [], "stubbed functions without hints"
    bad = {
        name: [len(level.strip()) for level in levels]
        for name, levels in hints.items()
        if len(levels) != LEVELS or not all(level.strip() for level in levels)
    }
    assert bad == {}, f"want exactly {LEVELS} non-empty levels"


@pytest.mark.parametrize(("exercise", "function", "lines"), CASES, ids=[f"{e}::{f}" for e, f, _ in CASES])
def test_no_hint_level_contains_the_solution(exercise, function, lines):
    levels = COURSE.catalog.find(exercise).hints.get(function, ())
    given = {f"level {n}": found for n, hint in enumerate(levels, start=1) if (found := leaks(hint, lines))}
    assert given == {}, f"{exercise}.{function}: hint levels that paste solution lines"


@pytest.mark.parametrize(("exercise", "function", "lines"), CASES, ids=[f"{e}::{f}" for e, f, _ in CASES])
def test_the_check_catches_a_pasted_line(exercise, function, lines):
    # The detector is not vacuous: each function's longest solution line, pasted into prose, is caught.
    longest = max(lines, key=len)
    assert leaks(f"Nearly there: {longest}, then you are done.", lines)
    assert leaks(f"Try  {'  '.join(longest.split())}", lines), "extra whitespace still counts"


def test_the_detector_rules():
    lines = ["return x[i]", "return self", "pass", "y = 2 * torch.dot(x, x)"]
    assert leaks("Write return x[i] and you are done", lines) == ["return x[i]"]
    assert leaks("y=2*torch.dot(x,x)", lines) == ["y = 2 * torch.dot(x, x)"]
    assert leaks("Finish with return self; pass on the rest.", lines) == []
    assert leaks("Index the matrix with one integer: that picks a row.", lines) == []
    assert leaks("model.eval() turns Dropout off", ["model.eval()", "return model.eval()"]) == []
    assert leaks("then return model.eval()", ["return model.eval()"]) == ["return model.eval()"]
    assert leaks("torch.tensor(values, dtype=torch.float32)", ["return torch.tensor(values, dtype=torch.float32)"])
    assert leaks("torch.rand(rows, cols), then", ["return torch.rand(rows, cols), torch.randn(rows, cols)"])
    assert leaks("the mean is x.mean(0)", ["mean = x.mean(0)"]) == []  # too short to count
    assert leaks("torch.randint(0, H - h + 1, (1,))", ["top = torch.randint(0, H - h + 1, (1,))"])
    assert leaks("set workers=num_workers, then", ["num_workers=num_workers,"]) == []
    assert leaks("the head is model.classifier", ["old = model.classifier"]) == []
    assert leaks("and return history", ["return history", "return image, label"]) == []
    assert without_comment("x = '#' + y  # note") == "x = '#' + y  "
    assert top_level_parts("a(x, y), b[1, 2], 'c,d'") == ["a(x, y)", "b[1, 2]", "'c,d'"]
