"""Terminal views of the learner loop: the course list with its progress bar, and what to do next.

Per-check details come from `grader.learner.terminal`; this module draws what is
about the course as a whole. Like `terminal.render`, everything is rendered to
a string, in colour when the terminal supports it and as plain text when piped.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.core.catalog import Catalog, Exercise
from grader.learner.hints import Hint
from grader.core.results import ExerciseScore, Submission
from grader.learner.terminal import STATE_LABEL, STATE_STYLE, points, rendered

BAR_WIDTH = 30
TOPIC_WIDTH = 40
# The README's loop: `make run` grades an exercise and shows every check; `make hint` when stuck.
RUN = "then: make run EX={exercise}"
HINT = "make hint EX={exercise}"


def use_color(stream: TextIO | None = None) -> bool:
    """Colour on a terminal (standard output by default), unless NO_COLOR is set or the terminal is dumb."""
    return (stream or sys.stdout).isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def render_line(line: Text | str, color: bool = False) -> str:
    """One line; a plain string is printed as it is (no rich markup: `[cuda]` stays)."""
    text = Text(line) if isinstance(line, str) else line
    return rendered(lambda console: console.print(text), color)


def render_list(course: Catalog, submission: Submission, color: bool = False) -> str:
    """Every exercise in catalog order with its state and points, then the course's progress."""
    scores = {s.exercise: s for s in submission.exercises()}

    def draw(console: Console) -> None:
        table = Table(title="torchdrill exercises", title_justify="left")
        table.add_column("#", justify="right")
        table.add_column("Exercise")
        table.add_column("Topic", no_wrap=True, overflow="ellipsis", max_width=TOPIC_WIDTH)
        table.add_column("State", no_wrap=True)
        table.add_column("Checks", justify="right")
        table.add_column("Points", justify="right")
        for number, exercise in enumerate(course.exercises, start=1):
            score = scores.get(exercise.name)
            if score is None:  # only skipped checks here: nothing to score
                table.add_row(str(number), exercise.name, topic(exercise), Text("no checks here", style="dim"), "", "")
                continue
            table.add_row(
                str(number),
                exercise.name,
                topic(exercise),
                Text(STATE_LABEL[score.state], style=STATE_STYLE[score.state]),
                f"{score.passed}/{score.total}",
                f"{points(score.points)}/{points(score.max_points)}",
            )
        console.print(table)
        console.print(course_progress(list(scores.values())))
        upcoming = next((s.exercise for s in scores.values() if s.state != "done"), "")
        console.print(next_step(upcoming))

    return rendered(draw, color)


def topic(exercise: Exercise) -> str:
    """The title up to its colon: `Tensors: creation, indexing, ...` -> `Tensors`."""
    return exercise.title.partition(":")[0]


def course_progress(scores: list[ExerciseScore], label: str = "Course") -> Text:
    """`Course  ████████░░░░  3/13 exercises done · 57/412 points (14%)`"""
    earned, total = sum(s.points for s in scores), sum(s.max_points for s in scores)
    fraction = earned / total if total else 0.0
    filled = round(fraction * BAR_WIDTH)
    done = sum(s.state == "done" for s in scores)
    line = Text(f"{label}  ")
    line.append("█" * filled, style="green")
    line.append("░" * (BAR_WIDTH - filled), style="dim")
    line.append(
        f"  {done}/{len(scores)} exercises done · {points(earned)}/{points(total)} points ({fraction:.0%})"
    )
    return line


def next_step(exercise: str, how: str = RUN) -> Text:
    """What to do next: the exercise to edit, or the end of the course."""
    if not exercise:
        return Text("Every exercise is done. Congratulations!", style="bold green")
    line = Text("Next: ")
    line.append(exercise, style="bold")
    line.append(f"  (edit exercises/{exercise}.py, {how.format(exercise=exercise)})")
    return line


def render_summary(submission: Submission, catalog: Catalog | None, details: bool, color: bool = False) -> str:
    """After `grade`'s score table: the progress of what was graded, and the next step of the README's loop.

    After the table alone, `make run` shows the first exercise not done with its messages; after
    `--details` (`make check`), which has just shown them, the next step is a hint.
    """
    graded = {c.exercise for c in submission.checks}
    whole = catalog is not None and graded >= set(catalog.names)
    scores = submission.exercises()

    def draw(console: Console) -> None:
        console.print(course_progress(scores, "Course" if whole else "Graded"))
        upcoming = next((s.exercise for s in scores if s.state != "done"), "")
        if upcoming:
            console.print(next_step(upcoming, f"stuck? {HINT}" if details else RUN))
        elif whole:
            console.print(next_step(""))

    return rendered(draw, color)


def render_outcome(
    score: ExerciseScore | None, upcoming: str, how: str, color: bool = False, hint: str = HINT
) -> str:
    """After grading one exercise: done and what comes next (`how` to check it), or how to get a hint
    (`hint`: the command, or watch's key)."""

    def draw(console: Console) -> None:
        if score is None:
            console.print("No check ran here (every check was skipped).", style="yellow")
        elif score.state == "done":
            console.print(Text(f"✓ {score.exercise} is done: every check passes.", style="bold green"))
            console.print(next_step(upcoming, how))
        else:
            console.print(Text(f"{score.passed}/{score.total} checks pass. Stuck? {hint.format(exercise=score.exercise)}", style="dim"))

    return rendered(draw, color)


def render_hint(hint: Hint, color: bool = False, again: str = "make hint EX={exercise} FN={function}") -> str:
    """The hint levels shown so far, the newest in bold, and how many remain (`again`: how to see the next)."""

    def draw(console: Console) -> None:
        total = len(hint.levels)
        console.print(Text(f"{hint.exercise} · {hint.function} · hint {hint.shown} of {total}", style="bold"))
        for number, text in enumerate(hint.levels[: hint.shown], start=1):
            newest = number == hint.shown and not hint.exhausted
            console.print(Text(f"  {number}. {text}", style="bold" if newest else "dim"), soft_wrap=True)
        if hint.exhausted:
            console.print(f"All {total} hints for {hint.function} were already shown; the docstring has an example.")
        elif hint.shown < total:
            more = total - hint.shown
            console.print(
                Text(f"{more} more level{'s' if more > 1 else ''}: {again.format(exercise=hint.exercise, function=hint.function)}"),
                style="dim",
            )
        else:
            console.print("That was the last level: it walks through the step; the docstring has an example.", style="dim")

    return rendered(draw, color)
