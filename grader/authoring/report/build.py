"""Writes every output of `python -m grader report` into one folder.

    index.html                      the class page                          (instructor)
    learners/<id>.html              one page per learner, hidden checks too (instructor)
    learners/<id>.json              the learner's results (schema: docs/reports.md)
    handouts/<id>.html              the page to give the learner            (learner)
    gradebook.csv                   one row per learner
    lms/{canvas,moodle,blackboard}.csv  LMS imports, with a roster
    gradescope/<id>/results.json    Gradescope's results format, per learner (learner)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.authoring.report import gradebook, html, lms, stats
from grader.authoring.report.html import Audience
from grader.authoring.report.loading import ClassResults
from grader.authoring.report.roster import Person
from grader.authoring.report.similarity import ExerciseSimilarity
from grader.classroom.records import file_name

CLASS_PAGE = "index.html"
GRADEBOOK = "gradebook.csv"
GRADESCOPE = "gradescope"


@dataclass(frozen=True)
class Written:
    class_page: Path
    learner_pages: list[Path]
    handouts: list[Path]
    gradebook: Path
    gradescope: list[Path]
    lms: lms.Exported | None = None  # None: no roster given


def build(
    results: ClassResults,
    out: Path,
    roster: dict[str, Person] | None = None,
    similar: list[ExerciseSimilarity] | None = None,
) -> Written:
    from grader.authoring import gradescope

    out.mkdir(parents=True, exist_ok=True)
    class_page = out / CLASS_PAGE
    class_page.write_text(html.class_page(results, similar), encoding="utf-8")
    pages: dict[Audience, list[Path]] = {audience: [] for audience in Audience}
    exports = []
    for submission in results.submissions:
        for audience in Audience:
            page = out / html.learner_file(submission.learner, audience)
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(html.learner_page(submission, results.titles, audience), encoding="utf-8")
            pages[audience].append(page)
        submission.write_json((out / html.learner_file(submission.learner)).with_suffix(".json"))
        export = out / GRADESCOPE / file_name(submission.learner) / "results.json"
        export.parent.mkdir(parents=True, exist_ok=True)
        gradescope.write_results(submission, export)
        exports.append(export)
    rows = stats.score_matrix(results.submissions)
    book = out / GRADEBOOK
    gradebook.write(book, rows, results.exercises)
    exported = None
    if roster is not None:
        maxima = stats.exercise_maxima(rows, results.exercises)
        exported = lms.write(out, rows, results.exercises, maxima, roster)
    return Written(class_page, pages[Audience.INSTRUCTOR], pages[Audience.LEARNER], book, exports, exported)
