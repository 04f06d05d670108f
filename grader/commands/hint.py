"""`hint EX [FUNCTION]`: the next hint level for a function; the levels seen are remembered."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader import catalog, course_view, hinting, progress, suites
from grader.exitcodes import EXIT_OK
from grader.results import CheckResult
from grader.standing import Standing, exercise_file

HELP = "the next hint for a function (default: the first one still a stub or failing)"
EPILOG = """\
Each function has three levels: a nudge, the key idea, then nearly the answer.
Each call shows one more; the levels you have seen are kept in .torchdrill/state.json.

exit status: 0 a hint was shown (or the exercise is done), 2 usage error (unknown exercise or function)"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exercise", help="exercise name or prefix (ex02, ex02_autograd)")
    parser.add_argument(
        "function", nargs="?", help="the function or class (default: the first one still a stub or failing)"
    )
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run(root: Path, args: argparse.Namespace) -> int:
    course = catalog.load(root)
    exercise = course.find(args.exercise)
    color = course_view.use_color()
    function = args.function or _default_function(root, course, exercise)
    if function is None:
        known = ", ".join(exercise.hints)
        done = f"{exercise.name} is done: every check passes. Hints exist for: {known}"
        print(course_view.render_line(done, color), end="")
        return EXIT_OK
    state = progress.load(root)
    hint = hinting.next_hint(exercise, function, state.levels_seen(exercise.name, function))
    print(course_view.render_hint(hint, color), end="")
    state.saw(exercise.name, function, hint.shown)
    progress.save(root, state)
    return EXIT_OK


def _default_function(root: Path, course: catalog.Catalog, exercise: catalog.Exercise) -> str | None:
    if not exercise.hints:
        raise KeyError(f"{exercise.name} has no hints")
    module = exercise_file(root, exercise.name)
    source = module.read_text() if module.is_file() else None
    suite = suites.suite_path(root, exercise.name).read_text()

    def results() -> list[CheckResult]:
        return [c for c in Standing(root, course).verdicts([exercise.name]).checks if c.exercise == exercise.name]

    return hinting.default_function(exercise, source, suite, results)
