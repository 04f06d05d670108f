"""Terminal rendering of a `Submission`: the score table and per-check details.

Rendered with rich to a string, in colour when the terminal supports it and as
plain text when piped.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.core.results import CheckResult, ExerciseScore, Status, Submission

STATE_STYLE = {"done": "green", "failing": "red", "not_started": "dim"}
STATE_LABEL = {"done": "done", "failing": "failing", "not_started": "not started"}
STATUS_MARK = {
    "passed": ("✓", "green"),
    "failed": ("✗", "red"),
    "error": ("!", "red"),
    "timeout": ("⏱", "yellow"),
    "crashed": ("☠", "red"),
    "not_started": ("·", "dim"),
    "skipped": ("-", "yellow"),
}
OUTPUT_LINES = 8  # of the learner's own printed output, under a failed check
OUTPUT_WIDTH = 160  # characters per printed line shown (a printed tensor can be one long line)


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and newline
CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(text: str, limit: int | None = None, one_line: bool = False) -> str:
    """Text from learner code or a learner's folder, safe for a terminal.

    Control characters (ANSI escapes that clear the screen or set the title, carriage
    returns that overwrite a line) are shown as escapes (`\\x1b`), newlines too when
    `one_line`; cut to `limit` characters. Print the result as a `rich.text.Text` (or
    through `rich.markup.escape`), never as markup: `[green]` stays literal.
    """
    text = (CONTROL_ALL if one_line else CONTROL).sub(lambda found: repr(found.group())[1:-1], text)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def points(value: float) -> str:
    return f"{value:g}"


def rendered(draw: Callable[[Console], None], color: bool, width: int = 100) -> str:
    """What `draw` prints on a rich console, as a string (plain text unless `color`)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        emoji=False,
        force_jupyter=False,  # rendered to a string, also inside a notebook's kernel
    )
    draw(console)
    return buffer.getvalue()


def render(submission: Submission, details: bool = False, color: bool = False, width: int = 100) -> str:
    """Every check with its message (`details`), then the score table. What to do next is the
    caller's to say (`grader.learner.views`): it depends on the command that graded."""

    def draw(console: Console) -> None:
        if details:
            for score in submission.exercises():
                _print_checks(console, score, [c for c in submission.checks if c.exercise == score.exercise])
        console.print(score_table(submission))
        skipped = [c for c in submission.checks if c.status == "skipped"]
        if skipped:
            console.print(f"{len(skipped)} check(s) skipped: {skipped[0].message}", style="yellow")

    return rendered(draw, color, width)


def score_table(submission: Submission) -> Table:
    table = Table(title="torchdrill score", title_justify="left", show_footer=True)
    scores = submission.exercises()
    table.add_column("Exercise", footer="Total")
    table.add_column("Checks passed", justify="right", footer=f"{sum(s.passed for s in scores)}/{sum(s.total for s in scores)}")
    table.add_column("Points", justify="right", footer=f"{points(submission.points)}/{points(submission.max_points)}")
    table.add_column("State")
    for score in scores:
        table.add_row(
            score.exercise,
            f"{score.passed}/{score.total}",
            f"{points(score.points)}/{points(score.max_points)}",
            Text(STATE_LABEL[score.state], style=STATE_STYLE[score.state]),
        )
    return table


def render_checks(submission: Submission, color: bool = False, focused: bool = False, width: int = 100) -> str:
    """Every exercise's checks, without the table. `focused` (watch's screen) shows the message of
    the first check that does not pass only, the one to fix first, so that it stays on screen."""

    def draw(console: Console) -> None:
        for score in submission.exercises():
            _print_checks(console, score, [c for c in submission.checks if c.exercise == score.exercise], focused)

    return rendered(draw, color, width)


def _print_checks(console: Console, score: ExerciseScore, checks: list[CheckResult], focused: bool = False) -> None:
    console.print(Text(f"{score.exercise}  {points(score.points)}/{points(score.max_points)}", style="bold"))
    not_passing = [c for c in checks if c.status not in (Status.PASSED, Status.SKIPPED)]
    if _one_error(not_passing, checks):  # a file that does not import: said once, not once per check
        mark, style = STATUS_MARK["error"]
        console.print(Text(f"  {mark} every check ({len(not_passing)})  error", style=style))
        _print_message(console, not_passing[0])
        console.print()
        return
    first = not_passing[0] if not_passing else None
    for result in checks:
        mark, style = STATUS_MARK[result.status]
        line = Text(f"  {mark} ", style=style)
        line.append(f"{result.name}  ")
        line.append(f"{points(result.points)}/{points(result.max_points)}", style="dim")
        if result.status != "passed":
            line.append(f"  {result.status.replace('_', ' ')}", style=style)
        console.print(line)
        if focused and result is not first:
            continue
        if result.status in ("passed", "skipped") and not result.message:
            continue
        _print_message(console, result)
    console.print()


def _one_error(not_passing: list[CheckResult], checks: list[CheckResult]) -> bool:
    """Every check run failed with one and the same error: the file did not import, or exited while it did."""
    said = {(r.status, r.message, r.diagnosis) for r in not_passing}
    ran = [c for c in checks if c.status is not Status.SKIPPED]
    return len(not_passing) == len(ran) > 1 and len(said) == 1 and not_passing[0].status is Status.ERROR


def _print_message(console: Console, result: CheckResult) -> None:
    for text in shown(result.message).splitlines():
        console.print(Text(f"      {text}"), soft_wrap=True)
    if result.diagnosis:
        console.print(Text(f"      hint: {result.diagnosis}", style="cyan"), soft_wrap=True)
    if result.output.strip() and result.status != "passed":
        _print_output(console, result.output)


def _print_output(console: Console, output: str) -> None:
    """The learner's own prints for this check, marked as theirs and cut to a few short lines."""
    lines = shown(output).rstrip().splitlines()
    console.print(Text("      your code printed:", style="dim"))
    for text in lines[:OUTPUT_LINES]:
        line = text if len(text) <= OUTPUT_WIDTH else text[: OUTPUT_WIDTH - 1] + "…"
        console.print(Text(f"      | {line}", style="dim"), soft_wrap=True)
    if len(lines) > OUTPUT_LINES:
        console.print(Text(f"      | … {len(lines) - OUTPUT_LINES} more lines", style="dim"))
