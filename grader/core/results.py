"""The results model: one submission, its files, and one result per check.

Everything the grader reports (score table, JSON, CSV, HTML, Gradescope) is an
exporter of these dataclasses. The JSON form is versioned by `SCHEMA_VERSION`;
fields are only ever added (version 2 added `check` and `device` to each check).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 2


class Status(StrEnum):
    """A check's status; decided in one place (`grader.core.scoring`) or by the plan (skipped)."""

    PASSED = "passed"
    FAILED = "failed"  # values differ, or a forbidden torch function was called
    ERROR = "error"  # learner code raised, exited or would not import
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # the process died, or the result could not be judged
    NOT_STARTED = "not_started"  # the stub still raises NotImplementedError
    SKIPPED = "skipped"  # not run here (no such device): counts for nothing


class ExerciseState(StrEnum):
    DONE = "done"
    FAILING = "failing"
    NOT_STARTED = "not_started"


@dataclass
class CheckResult:
    exercise: str
    name: str  # the run's name, as pytest shows it: `clip`, or `clip[cuda]` for a multi-device check
    status: Status
    points: float
    max_points: float
    message: str = ""
    output: str = ""
    duration: float = 0.0
    hidden: bool = False
    diagnosis: str = ""  # one line naming a known mistake ("sum instead of mean?"), or ""
    check: str = ""  # the check's own name, whatever the device (`clip`)
    device: str = "cpu"

    def __post_init__(self) -> None:
        self.status = Status(self.status)  # raises ValueError for an unknown status
        if not self.check:
            self.check = self.name.partition("[")[0]

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    @property
    def key(self) -> str:
        """`ex02_autograd::clip[cuda]`: unique within a submission."""
        return f"{self.exercise}::{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"status": str(self.status)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        names = {f.name for f in dataclasses.fields(cls)}
        result = cls(**{k: v for k, v in data.items() if k in names})
        if "device" not in data:  # schema 1 spelled the device only in the name
            result.device = result.name.partition("[")[2].rstrip("]") or "cpu"
        return result


@dataclass(frozen=True)
class GradedFile:
    exercise: str
    path: str
    sha256: str | None  # None: the file is missing


@dataclass
class ExerciseScore:
    exercise: str
    points: float
    max_points: float
    passed: int
    total: int
    state: ExerciseState


def exercise_state(checks: list[CheckResult]) -> ExerciseState:
    """Done when every scored check passes; not started while every one is a stub."""
    if all(c.passed for c in checks):
        return ExerciseState.DONE
    if all(c.status is Status.NOT_STARTED for c in checks):
        return ExerciseState.NOT_STARTED
    return ExerciseState.FAILING


@dataclass
class Submission:
    target: str
    checks: list[CheckResult] = field(default_factory=list)
    files: list[GradedFile] = field(default_factory=list)
    environment: dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0
    learner: str = ""  # class grading: the learner id (the submission folder's name)
    hints: dict[str, dict[str, int]] = field(default_factory=dict)  # exercise -> function -> levels seen
    notes: list[str] = field(default_factory=list)  # staging remarks: refused files, unknown layout

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.checks if c.status is not Status.SKIPPED)

    def exercises(self) -> list[ExerciseScore]:
        """Per-exercise totals, in the order the checks appear (catalog order)."""
        scores = []
        for name in dict.fromkeys(c.exercise for c in self.checks):
            own = [c for c in self.checks if c.exercise == name and c.status is not Status.SKIPPED]
            if not own:  # only skipped checks (gpu): nothing to score
                continue
            passed = sum(c.passed for c in own)
            points, maximum = sum(c.points for c in own), sum(c.max_points for c in own)
            scores.append(ExerciseScore(name, points, maximum, passed, len(own), exercise_state(own)))
        return scores

    def score_of(self, exercise: str) -> ExerciseScore | None:
        """The exercise's totals (None: not graded, or only skipped checks)."""
        return next((s for s in self.exercises() if s.exercise == exercise), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "target": self.target,
            "learner": self.learner,
            "score": self.points,
            "max_score": self.max_points,
            "duration": round(self.duration, 3),
            "environment": self.environment,
            "files": [dataclasses.asdict(f) for f in self.files],
            "checks": [c.to_dict() for c in self.checks],
            "hints": self.hints,
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Submission:
        return cls(
            target=data["target"],
            checks=[CheckResult.from_dict(c) for c in data["checks"]],
            files=[GradedFile(**f) for f in data.get("files", [])],
            environment=data.get("environment", {}),
            duration=data.get("duration", 0.0),
            learner=data.get("learner", ""),
            hints=data.get("hints", {}),
            notes=data.get("notes", []),
        )

    def write_json(self, path: Path, **extra: Any) -> None:
        write_json_atomically(path, self.to_dict() | extra)

    @classmethod
    def read_json(cls, path: Path) -> Submission:
        return cls.from_dict(json.loads(path.read_text()))


def write_json_atomically(path: Path, data: Any, sort_keys: bool = False) -> None:
    """A reader (or a rerun after a kill) sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{os.getpid()}.partial")  # short: the final name may be near NAME_MAX
    partial.write_text(json.dumps(data, indent=2, sort_keys=sort_keys) + "\n")
    os.replace(partial, path)


def sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def environment() -> dict[str, Any]:
    import torch

    from grader import __version__

    return {
        "grader": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "platform": sys.platform,
        "machine": platform.machine(),
    }
