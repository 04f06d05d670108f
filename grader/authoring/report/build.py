"""Writes every output of `python -m grader report` into one folder.

    index.html                      the class page
    learners/<id>.html              one page per learner
    learners/<id>.json              the learner's results (schema: docs/reports.md)
    gradebook.csv                   one row per learner
    gradescope/<id>/results.json    Gradescope's results format, per learner
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.authoring.report import gradebook, html, stats
from grader.authoring.report.loading import ClassResults
from grader.classroom.records import file_name

CLASS_PAGE = "index.html"
GRADEBOOK = "gradebook.csv"
GRADESCOPE = "gradescope"


@dataclass(frozen=True)
class Written:
    class_page: Path
    learner_pages: list[Path]
    gradebook: Path
    gradescope: list[Path]


def build(results: ClassResults, out: Path) -> Written:
    from grader.authoring import gradescope

    out.mkdir(parents=True, exist_ok=True)
    class_page = out / CLASS_PAGE
    class_page.write_text(html.class_page(results), encoding="utf-8")
    pages, exports = [], []
    for submission in results.submissions:
        page = out / html.learner_file(submission.learner)
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(html.learner_page(submission, results.titles), encoding="utf-8")
        submission.write_json(page.with_suffix(".json"))
        export = out / GRADESCOPE / file_name(submission.learner) / "results.json"
        export.parent.mkdir(parents=True, exist_ok=True)
        gradescope.write_results(submission, export)
        pages.append(page)
        exports.append(export)
    book = out / GRADEBOOK
    gradebook.write(book, stats.score_matrix(results.submissions), results.exercises)
    return Written(class_page, pages, book, exports)
