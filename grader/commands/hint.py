"""`hint [EX [FUNCTION]]`: the next hint level for a function; the levels seen are remembered."""

from __future__ import annotations

import argparse

from grader.commands import EXIT_OK
from grader.core.course import Course
from grader.learner import hints
from grader.learner import views as course_view
from grader.learner.standing import Standing

HELP = "the next hint for a function (default: the first exercise not done, its first function still a stub or failing)"
EPILOG = """\
examples:
  torchdrill hint                    the exercise you are on (the first one not done), as `run` picks it
  torchdrill hint ex02               the first function of ex02 still a stub or failing
  torchdrill hint ex02 clip_and_report

Each function has three levels: a nudge, the key idea, then the step in words (never the code).
Each call shows one more; the levels you have seen are kept in .torchdrill/state.json.

exit status: 0 a hint was shown (or nothing is left to do), 2 usage error (unknown exercise or function)"""
ALL_DONE = "Every exercise is done: no hint left to give. Congratulations!"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "exercise", nargs="?", help="exercise name or prefix (ex02, ex02_autograd); default: the first one not done"
    )
    parser.add_argument(
        "function", nargs="?", help="the function or class (default: the first one still a stub or failing)"
    )
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run(course: Course, args: argparse.Namespace) -> int:
    color = course_view.use_color()
    standing = Standing(course)
    if args.exercise:
        exercise = course.catalog.find(args.exercise)
    else:
        current, _ = standing.first_unfinished()
        if not current:
            print(course_view.render_line(ALL_DONE, color), end="")
            return EXIT_OK
        exercise = course.catalog.find(current)
    results = lambda: standing.verdict(exercise.name).checks  # noqa: E731 - graded only if a stub cannot say
    hint = hints.show_next(course, exercise, args.function, results)
    if hint is None:
        known = ", ".join(exercise.hints)
        done = f"{exercise.name} is done: every check passes. Hints exist for: {known}"
        print(course_view.render_line(done, color), end="")
        return EXIT_OK
    print(course_view.render_hint(hint, color), end="")
    return EXIT_OK
