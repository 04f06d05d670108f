"""Aggregation for the class page and the gradebook: plain data from `Submission`s.

Kept apart from rendering so that every figure on the pages (a pass rate, a
histogram bar, a diagnosis count) is computed, and tested, in one place.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from grader.classroom.records import ClassRecord
from grader.core.results import CheckResult, ExerciseScore, Submission

HISTOGRAM_BINS = 10
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
    device: str = "cpu"  # where the check ran (each device of a multi-device check is a check of its own here)

    @property
    def pass_rate(self) -> float | None:
        """Passed among those who attempted it; None when nobody did."""
        return self.passed / self.attempted if self.attempted else None


@dataclass(frozen=True)
class Mistake:
    """One thing that went wrong, in one exercise, and who it happened to.

    Checks that fail with the same line (an import error fails every check of the
    exercise) make one mistake: it is counted once per learner, not once per check.
    """

    exercise: str
    label: str  # the grader's diagnosis, else the message's first line
    learners: list[str]  # sorted
    checks: list[str]  # the checks it failed, in catalog order
    hidden: bool  # some of those checks are hidden: the label is for the instructor only


@dataclass(frozen=True)
class GradingTime:
    """How long grading took. A rerun that finds every learner unchanged takes a second:
    the time that matters is that of the run that graded them."""

    wall: float | None  # wall time of the latest run that graded anyone; None: not recorded
    learners: float  # the learners' own grading times, added up (one job's worth of work each)
    last_run: float  # wall time of the latest run, whatever it graded
    regraded: int | None  # learners the latest run graded; None: not recorded


@dataclass(frozen=True)
class Incident:
    """A check that timed out or crashed: worth a look at the learner's code (or the limits)."""

    learner: str
    exercise: str
    check: str
    status: str
    message: str  # first line
    hidden: bool


def first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"


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
    for submission in submissions:
        present = handed_in(submission)
        for check in submission.checks:
            key = (check.exercise, check.name)
            stats = table.setdefault(key, CheckStats(check.exercise, check.name, check.hidden, device=check.device))
            stats.statuses[check.status] += 1
            if attempted(check, present):
                stats.attempted += 1
                stats.passed += check.passed
    rank = {name: i for i, name in enumerate(exercises)}
    position = {key: i for i, key in enumerate(table)}  # first appearance: catalog order within an exercise

    def hardness(key: tuple[str, str]) -> tuple[bool, float, int, int]:
        rate = table[key].pass_rate
        return (rate is None, rate or 0.0, rank.get(key[0], len(rank)), position[key])

    return [table[key] for key in sorted(table, key=hardness)]


def attempted(check: CheckResult, handed: set[str]) -> bool:
    """The learner handed in the exercise's file and filled this check's stub."""
    return check.exercise in handed and check.status not in ("not_started", "skipped")


def mistakes(submissions: list[Submission], exercises: list[str]) -> list[Mistake]:
    """What went wrong in attempted checks, grouped by exercise and label, most learners first.

    For the instructor: hidden checks' diagnoses and messages count too (marked `hidden`).
    """
    learners: dict[tuple[str, str], set[str]] = {}
    checks: dict[tuple[str, str], dict[str, bool]] = {}  # check name -> hidden, in order
    for submission in submissions:
        handed = handed_in(submission)
        for check in submission.checks:
            label = diagnosis_label(check)
            if label and attempted(check, handed):
                key = (check.exercise, label)
                learners.setdefault(key, set()).add(submission.learner)
                checks.setdefault(key, {})[check.name] = check.hidden
    rank = {name: i for i, name in enumerate(exercises)}
    found = [
        Mistake(exercise, label, sorted(names), list(checks[exercise, label]), any(checks[exercise, label].values()))
        for (exercise, label), names in learners.items()
    ]
    return sorted(found, key=lambda m: (-len(m.learners), rank.get(m.exercise, len(rank)), m.label))


def diagnosis_label(check: CheckResult) -> str:
    """What went wrong, in one line: the grader's diagnosis, else the message's first line."""
    if check.status not in MISTAKE_STATUSES:
        return ""
    return first_line(check.diagnosis) or first_line(check.message)


def incidents(submissions: list[Submission]) -> list[Incident]:
    return [
        Incident(s.learner, c.exercise, c.name, c.status, first_line(c.message), c.hidden)
        for s in submissions
        for c in s.checks
        if c.status in INCIDENT_STATUSES
    ]


def slowest(submissions: list[Submission], count: int = 5) -> list[Submission]:
    return sorted(submissions, key=lambda s: s.duration, reverse=True)[:count]


def grading_time(run: ClassRecord, submissions: list[Submission]) -> GradingTime:
    """The class.json's account of the runs, with the learners' own times beside it."""
    recorded = run.regraded >= 0
    wall = run.grading_duration if recorded and run.grading_duration else None
    return GradingTime(wall, sum(s.duration for s in submissions), run.duration, run.regraded if recorded else None)
