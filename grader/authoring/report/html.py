"""The HTML pages: a class page and two pages per learner, from jinja2 templates.

Pages are self-contained (CSS, script and figures inline) so that they open
from a file, offline, and can be mailed or archived one by one.

Whose page is whose (`Audience`): the class page and `learners/<id>.html` are the
instructor's, and show everything, hidden checks' messages, diagnoses and output
included (marked as hidden from the learner). `handouts/<id>.html` is the page a
learner may be given: a hidden check shows its status and points, nothing else,
and nothing on it names another learner.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from urllib.parse import quote

import jinja2

from grader.authoring.report import plots, similarity, stats
from grader.classroom.records import file_name
from grader.authoring.report.loading import ClassResults
from grader.core.results import CheckResult, ExerciseScore, Submission
from grader.learner.terminal import points

TEMPLATES = Path(__file__).with_name("templates")
HARDEST_SHOWN = 20  # pass-rate rows shown before "the other checks"


class Audience(StrEnum):
    """Who reads a learner page; the value is its folder in the report."""

    INSTRUCTOR = "learners"
    LEARNER = "handouts"


def class_page(results: ClassResults, similar: list[similarity.ExerciseSimilarity] | None = None) -> str:
    """The instructor's class page; `similar`: the similarity section (None: the class files were not given)."""
    rows = stats.score_matrix(results.submissions)
    fractions = [row.fraction for row in rows]
    return _environment().get_template("class.html").render(
        run=results.run,
        rows=rows,
        exercises=results.exercises,
        titles=results.titles,
        maxima=stats.exercise_maxima(rows, results.exercises),
        summary=stats.summarize(rows),
        checks=stats.check_stats(results.submissions, results.exercises),
        hardest=HARDEST_SHOWN,
        mistakes=stats.mistakes(results.submissions, results.exercises),
        incidents=stats.incidents(results.submissions),
        slowest=stats.slowest(results.submissions),
        time=stats.grading_time(results.run, results.submissions),
        histogram_svg=plots.score_histogram(stats.histogram(fractions)),
        means_svg=plots.exercise_means(stats.exercise_means(rows, results.exercises)),
        similarity=similar,
    )


def learner_page(submission: Submission, titles: dict[str, str], audience: Audience) -> str:
    """One learner's page: the instructor's (everything) or the learner's (no hidden check's details)."""
    groups: dict[str, list[CheckResult]] = {}
    for check in submission.checks:
        groups.setdefault(check.exercise, []).append(check)
    detailed = audience is Audience.INSTRUCTOR
    shared = {exercise: shared_message(checks, detailed) for exercise, checks in groups.items()}
    return _environment().get_template("learner.html").render(
        submission=submission,
        scores=submission.exercises(),
        groups=groups,
        shared=shared,
        handed_in=stats.handed_in(submission),
        titles=titles,
        instructor=detailed,
    )


def shared_message(checks: list[CheckResult], hidden_shown: bool) -> str:
    """The message every shown check of an exercise has (a missing file, an import error), or "".

    Shown once above the exercise's checks instead of once per check. A hidden check's
    message counts only where hidden messages are shown (`hidden_shown`: the instructor's page).
    """
    messages = [check.message for check in checks if hidden_shown or not check.hidden]
    return messages[0] if len(messages) > 1 and messages[0] and len(set(messages)) == 1 else ""


def learner_file(learner: str, audience: Audience = Audience.INSTRUCTOR) -> str:
    """The page's path under the report folder, named as the learner's results file is."""
    return f"{audience}/{file_name(learner)}.html"


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        points=points,
        percent=lambda fraction: f"{100 * fraction:.0f}%",
        short=lambda exercise: exercise.split("_", 1)[0],  # ex02_autograd -> ex02: a narrow column
        seconds=_seconds,
        shade=_shade,
        learner_href=lambda learner: quote(learner_file(learner)),
    )
    return environment


def _seconds(value: float) -> str:
    if value < 1:
        return f"{1000 * value:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    return f"{int(value // 60)} min {value % 60:.0f} s"


def _shade(score: ExerciseScore) -> str:
    """A cell's background: from red (nothing) through yellow to green (everything)."""
    fraction = score.points / score.max_points if score.max_points else 0.0
    return f"hsl({120 * fraction:.0f}, 65%, 88%)"
