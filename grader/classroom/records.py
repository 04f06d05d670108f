"""The class results folder: its layout, and the one module that writes and reads its files.

    RESULTS/learners/<file>.json   one learner's `Submission`, with the fingerprint that decided it
    RESULTS/class.json             the run: when, how, and every learner's summary

Learner ids are folder names, which the learner's side chooses: any name is
graded, but its file is a safe, stable name (`file_name`), and the id itself is
kept inside the JSON. Reports read this folder and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from collections.abc import Collection
from pathlib import Path
from typing import Any

from grader.core.results import Status, Submission, write_json_atomically

LEARNERS = "learners"
CLASS_FILE = "class.json"
CLASS_FORMAT = 1
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


class LearnerOutcome(StrEnum):
    PASSED = "passed"  # full marks
    FAILED = "failed"
    ERROR = "error"  # some check timed out or crashed: worth a look


@dataclass(frozen=True)
class LearnerSummary:
    """What the progress display, the final table and class.json need of one learner."""

    learner: str
    score: float
    max_score: float
    outcome: LearnerOutcome
    duration: float
    fingerprint: str
    skipped: bool = False  # unchanged since the last run: not regraded

    @classmethod
    def of(cls, submission: Submission, fingerprint: str, skipped: bool = False) -> LearnerSummary:
        statuses = {c.status for c in submission.checks if c.status is not Status.SKIPPED}
        if statuses & {Status.TIMEOUT, Status.CRASHED}:
            outcome = LearnerOutcome.ERROR
        elif statuses <= {Status.PASSED}:
            outcome = LearnerOutcome.PASSED
        else:
            outcome = LearnerOutcome.FAILED
        return cls(
            submission.learner, submission.points, submission.max_points, outcome, submission.duration, fingerprint, skipped
        )

    def line(self) -> dict[str, Any]:
        """This learner's line in class.json."""
        return {
            "learner": self.learner,
            "score": self.score,
            "max_score": self.max_score,
            "outcome": str(self.outcome),
            "duration": round(self.duration, 2),
            "content_hash": self.fingerprint,
        }


@dataclass(frozen=True)
class ClassRecord:
    """class.json: how the class was graded (when, how long, how isolated) and each learner's summary."""

    started: str = ""  # ISO time of this run; "" when unknown
    duration: float = 0.0  # seconds of wall time of this run
    jobs: int = 0  # 0: unknown
    sandbox: str = ""  # bwrap | none | "" (unknown)
    grader: str = ""
    secret_id: str = ""
    exercises: list[str] = field(default_factory=list)
    learners: list[dict[str, Any]] = field(default_factory=list)
    # Added fields (older files lack them). A rerun that finds every learner unchanged takes a
    # second; the run that graded the learners is kept apart, so a report shows its time.
    regraded: int = -1  # learners this run graded (the others were unchanged); -1: not recorded
    grading_started: str = ""  # the latest run that graded anyone: when
    grading_duration: float = 0.0  # and its wall time in seconds
    # What a merge checks (`grader.classroom.merging`): the folders it joins must have been graded
    # alike (course, secret, exercises, time limit), and it finds each folder's share of the class.
    course: str = ""  # fingerprint of the grader, suites and solutions; "" in older files
    timeout: float | None = None  # --timeout (every check's limit), None: each check's own
    shard: str = ""  # "K/N": this run graded shard K of N (`grader.classroom.shards`); "": every learner
    devices: list[str] = field(default_factory=list)  # the lane: only runs on these devices were graded; []: all
    parts: list[dict[str, Any]] = field(default_factory=list)  # a merged folder: each run it joins

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": CLASS_FORMAT, **asdict(self)}

    def after(self, previous: ClassRecord | None) -> ClassRecord:
        """This run's record, with the time of the run that graded the learners: this one if
        it graded anyone, else the one `previous` names. A record that already says (a merge's) keeps it."""
        if self.grading_started:
            return self
        if self.regraded == 0 and previous is not None and previous.grading_started:
            return replace(self, grading_started=previous.grading_started, grading_duration=previous.grading_duration)
        if self.regraded > 0:
            return replace(self, grading_started=self.started, grading_duration=self.duration)
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClassRecord:
        sandbox = str(data.get("sandbox", ""))
        return cls(
            started=str(data.get("started", "")),
            duration=float(data.get("duration", 0.0)),
            jobs=int(data.get("jobs", 0)),
            sandbox="bwrap" if sandbox == "bubblewrap" else sandbox,  # as the first version wrote it
            grader=str(data.get("grader", "")),
            secret_id=str(data.get("secret_id", "")),
            exercises=[str(e) for e in data.get("exercises", [])],
            learners=list(data.get("learners", [])),
            regraded=int(data.get("regraded", -1)),
            grading_started=str(data.get("grading_started", "")),
            grading_duration=float(data.get("grading_duration", 0.0)),
            course=str(data.get("course", "")),
            timeout=None if data.get("timeout") is None else float(data["timeout"]),
            shard=str(data.get("shard", "")),
            devices=[str(d) for d in data.get("devices", [])],
            parts=list(data.get("parts", [])),
        )


def lane_fingerprint(settings: str, devices: Collection[str]) -> str:
    """A learner's fingerprint: the hash of what decided the result, and the lane's devices, if any.

    `HASH` for a run of every device, `HASH@cuda` for a lane (`class --devices cuda`): a lane's
    results are not a whole run's, so neither is taken for the other by a rerun, while a merge
    can tell that two lanes graded the same submission alike (same HASH).
    """
    return f"{settings}@{'+'.join(sorted(devices))}" if devices else settings


def fingerprint_lane(fingerprint: str) -> tuple[str, tuple[str, ...]]:
    """(HASH, lane devices) of a fingerprint; () for a run of every device."""
    settings, _, lane = fingerprint.partition("@")
    return settings, tuple(lane.split("+")) if lane else ()


def file_name(learner: str) -> str:
    """A safe, stable file name for a learner id: the id itself when it is plain, else a slug and a hash."""
    if SAFE_NAME.fullmatch(learner):
        return learner
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", learner).strip(".-")[:40] or "learner"
    return f"{slug}~{hashlib.sha256(learner.encode('utf-8', 'surrogateescape')).hexdigest()[:12]}"


class ResultsFolder:
    """A class results folder (`python -m grader class --out RESULTS`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def class_file(self) -> Path:
        return self.path / CLASS_FILE

    def learner_file(self, learner: str) -> Path:
        return self.path / LEARNERS / f"{file_name(learner)}.json"

    def learner_files(self) -> list[Path]:
        return sorted((self.path / LEARNERS).glob("*.json"))

    def previous_fingerprint(self, learner: str) -> str | None:
        try:
            return json.loads(self.learner_file(learner).read_text()).get("fingerprint")
        except (OSError, ValueError, AttributeError):
            return None

    def write_learner(self, submission: Submission, fingerprint: str) -> None:
        submission.write_json(self.learner_file(submission.learner), fingerprint=fingerprint)

    def read_learner(self, learner: str) -> Submission:
        return Submission.read_json(self.learner_file(learner))

    def write_class(self, record: ClassRecord) -> None:
        """Write class.json; a run that graded nobody keeps the time of the run that did."""
        try:
            previous = self.read_class()
        except (OSError, ValueError, AttributeError):
            previous = None  # an unreadable class.json is replaced
        write_json_atomically(self.class_file, record.after(previous).to_dict())

    def read_class(self) -> ClassRecord | None:
        if not self.class_file.is_file():
            return None
        return ClassRecord.from_dict(json.loads(self.class_file.read_text()))
