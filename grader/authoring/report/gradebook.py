"""The CSV gradebook: one row per learner, one column per exercise, total and max.

Columns are stable (learner, exercises in catalog order, total, max) so that a
spreadsheet can map them once and reuse the mapping. Points are plain numbers
(`21`, `9.5`); an exercise not graded for a learner is empty. The files an LMS
imports are written by `lms`, which uses `grades` for the same cells.
"""

from __future__ import annotations

from pathlib import Path

from grader.authoring.report.stats import LearnerRow
from grader.core import spreadsheet
from grader.learner.terminal import points

LEARNER, TOTAL, MAX = "learner", "total", "max"


def header(exercises: list[str]) -> list[str]:
    return [LEARNER, *exercises, TOTAL, MAX]


def grades(learner: LearnerRow, exercises: list[str]) -> list[str]:
    """Points per exercise, in the given order; "" where the exercise was not graded for the learner."""
    return [points(learner.scores[e].points) if e in learner.scores else "" for e in exercises]


def row(learner: LearnerRow, exercises: list[str]) -> list[str]:
    return [learner.learner, *grades(learner, exercises), points(learner.points), points(learner.max_points)]


def write(path: Path, rows: list[LearnerRow], exercises: list[str]) -> None:
    """One header row, one row per learner (`grader.core.spreadsheet`: RFC 4180, cells neutralised)."""
    spreadsheet.write(path, [header(exercises), *(row(learner, exercises) for learner in rows)])
