"""Which function a learner most likely wants a hint for, and the hint levels to show.

`hint EX` without a function picks the first function (in the catalog's hint
order, which follows the file) that is still a stub or that a failing check
calls. Stubs are found by reading the learner's file; the functions a check
calls by reading its probe (`ex.NAME`) in the suite. Neither imports anything,
so grading (and torch) is needed only when an implemented function comes
before every stub.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from grader.core import state
from grader.core.catalog import Exercise
from grader.core.course import Course
from grader.core.results import CheckResult

FAILING = ("failed", "error", "timeout", "crashed")


@dataclass(frozen=True)
class Hint:
    exercise: str
    function: str
    levels: tuple[str, ...]  # every level of this function
    shown: int  # how many levels to show now, the newest last
    seen_before: int  # how many had been shown before this call

    @property
    def exhausted(self) -> bool:
        """Every level had been shown before: nothing new this time."""
        return self.seen_before >= len(self.levels)


def next_hint(exercise: Exercise, function: str, seen_before: int) -> Hint:
    """The levels up to the next unseen one (all of them once every level was seen)."""
    if function not in exercise.hints:
        known = ", ".join(exercise.hints) or "none"
        raise KeyError(f"{exercise.name} has no hints for {function!r}; functions with hints: {known}")
    levels = exercise.hints[function]
    return Hint(exercise.name, function, levels, min(seen_before + 1, len(levels)), seen_before)


def show_next(
    course: Course, exercise: Exercise, function: str | None, results: Callable[[], list[CheckResult]]
) -> Hint | None:
    """The next hint for `function` (default: `default_function`), recorded as seen in the learner's
    state; None when every check passes. `hint` and watch's `h` key both ask here."""
    if function is None:
        if not exercise.hints:
            raise KeyError(f"{exercise.name} has no hints")
        module = course.exercise(exercise.name)
        source = module.read_text() if module.is_file() else None
        function = default_function(exercise, source, course.suite(exercise.name).read_text(), results)
        if function is None:
            return None
    seen = state.load(course)
    hint = next_hint(exercise, function, seen.levels_seen(exercise.name, function))
    seen.saw(exercise.name, function, hint.shown)
    state.save(course, seen)
    return hint


def stubbed(source: str) -> set[str]:
    """Top-level functions and classes that still `raise NotImplementedError` somewhere inside."""
    return {
        node.name
        for node in ast.parse(source).body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and any(_raises_not_implemented(inner) for inner in ast.walk(node))
    }


def _raises_not_implemented(node: ast.AST) -> bool:
    if not isinstance(node, ast.Raise) or node.exc is None:
        return False
    raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def probed(suite_source: str) -> dict[str, list[str]]:
    """Probe name -> the module attributes it uses (`ex.NAME`), in order of appearance."""
    found = {}
    for node in ast.parse(suite_source).body:
        if not isinstance(node, ast.FunctionDef) or not node.args.args:
            continue
        module = node.args.args[0].arg  # the implementation module: `ex`
        used = [
            inner.attr
            for inner in ast.walk(node)
            if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name) and inner.value.id == module
        ]
        found[node.name] = list(dict.fromkeys(used))
    return found


def default_function(
    exercise: Exercise, source: str | None, suite_source: str, results: Callable[[], list[CheckResult]]
) -> str | None:
    """The first hinted function that is a stub or that a failing check calls (None: all pass).

    `source` is the learner's file (None when it is missing); `results` grades
    the exercise, and is called only when a stub alone cannot answer.
    """
    try:
        stubs = stubbed(source) if source is not None else set()
    except SyntaxError:  # a file saved mid-edit: the checks will say where
        stubs = set()
    failing: set[str] | None = None
    for function in exercise.hints:
        if function in stubs:
            return function
        if failing is None:
            failing = _called_by_failing_checks(suite_source, results())
        if function in failing:
            return function
    return None


def _called_by_failing_checks(suite_source: str, results: list[CheckResult]) -> set[str]:
    uses = probed(suite_source)
    return {name for r in results if r.status in FAILING for name in uses.get(r.name.split("[")[0], [])}
