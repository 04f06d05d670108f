"""The CSV gradebook: one row per learner, one column per exercise, total and max.

Columns are stable (learner, exercises in catalog order, total, max) so that a
spreadsheet or an LMS import can map them once and reuse the mapping. Points
are plain numbers (`21`, `9.5`); an exercise not graded for a learner is empty.
"""

from __future__ import annotations

import csv
from pathlib import Path

from grader.authoring.report.stats import LearnerRow
from grader.learner.terminal import points

LEARNER, TOTAL, MAX = "learner", "total", "max"


def header(exercises: list[str]) -> list[str]:
    return [LEARNER, *exercises, TOTAL, MAX]


def row(learner: LearnerRow, exercises: list[str]) -> list[str]:
    cells = [points(learner.scores[e].points) if e in learner.scores else "" for e in exercises]
    return [learner.learner, *cells, points(learner.points), points(learner.max_points)]


def write(path: Path, rows: list[LearnerRow], exercises: list[str]) -> None:
    """UTF-8, comma-separated, one header row, `\\r\\n` line ends (RFC 4180)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header(exercises))
        writer.writerows(row(learner, exercises) for learner in rows)
