"""Aggregation for the class page and the gradebook: plain data from `Submission`s.

Kept apart from rendering so that every figure on the pages (a pass rate, a
histogram bar, a diagnosis count) is computed, and tested, in one place.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from grader.core.results import CheckResult, ExerciseScore, Submission

HISTOGRAM_BINS = 10
TOP_DIAGNOSES = 3
INCIDENT_STATUSES = ("timeout", "crashed")
MISTAKE_STATUSES = ("failed", "error")  # the statuses whose messages name a mistake
LINE_LIMIT = 160


@dataclass(frozen=True)
class LearnerRow:
    """One row of the score matrix and of the gradebook."""

    learner: str
    scores: dict[str, ExerciseScore]  # exercise -> score; absent: not graded for this learner
    points: float
    max_points: float
    duration: float

    @property
    def fraction(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0


@dataclass(frozen=True)
class ScoreSummary:
    mean: float  # shares of the total score, 0..1
    median: float
    full_marks: int  # learners with every point


@dataclass
class CheckStats:
    """How the class did on one check. `attempted` counts the learners who handed in the
    exercise's file and filled the stub (status other than not_started and skipped)."""

    exercise: str
    name: str
    hidden: bool
    statuses: Counter[str] = field(default_factory=Counter)  # status -> learners
    attempted: int = 0
    passed: int = 0
    diagnoses: list[tuple[str, int]] = field(default_factory=list)  # most frequent first

    @property
    def pass_rate(self) -> float | None:
        """Passed among those who attempted it; None when nobody did."""
        return self.passed / self.attempted if self.attempted else None


@dataclass(frozen=True)
class Incident:
    """A check that timed out or crashed: worth a look at the learner's code (or the limits)."""

    learner: str
    exercise: str
    check: str
    status: str
    message: str  # first line; "" for hidden checks


def first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"


def visible_message(check: CheckResult) -> str:
    """A check's message where it may be shown; a hidden check's never is."""
    return "" if check.hidden else check.message


def handed_in(submission: Submission) -> set[str]:
    """Exercises whose file the learner handed in (listed in `files`, with a hash).

    Results that list no files at all say nothing about it: every graded exercise counts.
    """
    if not submission.files:
        return {c.exercise for c in submission.checks}
    return {f.exercise for f in submission.files if f.sha256}


def score_matrix(submissions: list[Submission]) -> list[LearnerRow]:
    return [
        LearnerRow(
            s.learner, {score.exercise: score for score in s.exercises()}, s.points, s.max_points, s.duration
        )
        for s in submissions
    ]


def summarize(rows: list[LearnerRow]) -> ScoreSummary:
    fractions = [row.fraction for row in rows]
    return ScoreSummary(statistics.fmean(fractions), statistics.median(fractions), fractions.count(1.0))


def exercise_maxima(rows: list[LearnerRow], exercises: list[str]) -> dict[str, float]:
    """Each exercise's maximum, as graded for the first learner who has it."""
    return {e: next((r.scores[e].max_points for r in rows if e in r.scores), 0.0) for e in exercises}


def histogram(fractions: list[float], bins: int = HISTOGRAM_BINS) -> list[int]:
    """Counts of scores in equal bins over [0, 1]; a full score falls in the last bin."""
    counts = [0] * bins
    for fraction in fractions:
        counts[min(max(int(fraction * bins), 0), bins - 1)] += 1
    return counts


def exercise_means(rows: list[LearnerRow], exercises: list[str]) -> dict[str, float]:
    """Mean share of an exercise's points, over the learners graded on it."""
    means = {}
    for exercise in exercises:
        graded = [r.scores[exercise] for r in rows if exercise in r.scores]
        shares = [score.points / score.max_points for score in graded if score.max_points]
        means[exercise] = sum(shares) / len(shares) if shares else 0.0
    return means


def check_stats(submissions: list[Submission], exercises: list[str]) -> list[CheckStats]:
    """One entry per check, hardest first: lowest pass rate among those who attempted it.

    Checks nobody attempted come last; ties keep the catalog order.
    """
    table: dict[tuple[str, str], CheckStats] = {}
    diagnoses: dict[tuple[str, str], Counter[str]] = {}
    for submission in submissions:
        present = handed_in(submission)
        for check in submission.checks:
            key = (check.exercise, check.name)
            stats = table.setdefault(key, CheckStats(check.exercise, check.name, check.hidden))
            stats.statuses[check.status] += 1
            if check.exercise not in present or check.status in ("not_started", "skipped"):
                continue
            stats.attempted += 1
            stats.passed += check.passed
            label = diagnosis_label(check)
            if label:
                diagnoses.setdefault(key, Counter())[label] += 1
    for key, counter in diagnoses.items():
        table[key].diagnoses = counter.most_common(TOP_DIAGNOSES)
    rank = {name: i for i, name in enumerate(exercises)}
    position = {key: i for i, key in enumerate(table)}  # first appearance: catalog order within an exercise

    def hardness(key: tuple[str, str]) -> tuple[bool, float, int, int]:
        rate = table[key].pass_rate
        return (rate is None, rate or 0.0, rank.get(key[0], len(rank)), position[key])

    return [table[key] for key in sorted(table, key=hardness)]


def diagnosis_label(check: CheckResult) -> str:
    """What went wrong, in one line: the grader's diagnosis, else the visible message's first line."""
    if check.status not in MISTAKE_STATUSES:
        return ""
    return first_line(check.diagnosis) or first_line(visible_message(check))


def incidents(submissions: list[Submission]) -> list[Incident]:
    return [
        Incident(s.learner, c.exercise, c.name, c.status, first_line(visible_message(c)))
        for s in submissions
        for c in s.checks
        if c.status in INCIDENT_STATUSES
    ]


def slowest(submissions: list[Submission], count: int = 5) -> list[Submission]:
    return sorted(submissions, key=lambda s: s.duration, reverse=True)[:count]
