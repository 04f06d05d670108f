"""`hint EX [FUNCTION]`: the next hint level for a function; the levels seen are remembered."""

from __future__ import annotations

import argparse

from grader.commands import EXIT_OK
from grader.core import state
from grader.core.catalog import Exercise
from grader.core.course import Course
from grader.core.results import CheckResult
from grader.learner import hints
from grader.learner import views as course_view
from grader.learner.standing import Standing

HELP = "the next hint for a function (default: the first one still a stub or failing)"
EPILOG = """\
Each function has three levels: a nudge, the key idea, then the step in words (never the code).
Each call shows one more; the levels you have seen are kept in .torchdrill/state.json.

exit status: 0 a hint was shown (or the exercise is done), 2 usage error (unknown exercise or function)"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercise", help="exercise name or prefix (ex02, ex02_autograd)")
    parser.add_argument(
        "function", nargs="?", help="the function or class (default: the first one still a stub or failing)"
    )
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run(course: Course, args: argparse.Namespace) -> int:
    exercise = course.catalog.find(args.exercise)
    color = course_view.use_color()
    function = args.function or _default_function(course, exercise)
    if function is None:
        known = ", ".join(exercise.hints)
        done = f"{exercise.name} is done: every check passes. Hints exist for: {known}"
        print(course_view.render_line(done, color), end="")
        return EXIT_OK
    seen = state.load(course)
    hint = hints.next_hint(exercise, function, seen.levels_seen(exercise.name, function))
    print(course_view.render_hint(hint, color), end="")
    seen.saw(exercise.name, function, hint.shown)
    state.save(course, seen)
    return EXIT_OK


def _default_function(course: Course, exercise: Exercise) -> str | None:
    if not exercise.hints:
        raise KeyError(f"{exercise.name} has no hints")
    module = course.exercise(exercise.name)
    source = module.read_text() if module.is_file() else None
    suite = course.suite(exercise.name).read_text()

    def results() -> list[CheckResult]:
        return [c for c in Standing(course).verdicts([exercise.name]).checks if c.exercise == exercise.name]

    return hints.default_function(exercise, source, suite, results)
