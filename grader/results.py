"""The results model: one submission, its files, and one result per check.

Everything the grader reports (score table, JSON, and later CSV, HTML,
Gradescope) is an exporter of these dataclasses. The JSON form is versioned by
`SCHEMA_VERSION`; fields are only ever added.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

STATUSES = ("passed", "failed", "error", "timeout", "crashed", "not_started", "skipped")


@dataclass
class CheckResult:
    exercise: str
    name: str
    status: str
    points: float
    max_points: float
    message: str = ""
    output: str = ""
    duration: float = 0.0
    hidden: bool = False
    diagnosis: str = ""  # one line naming a known mistake ("sum instead of mean?"), or ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CheckResult":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


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
    state: str  # done | failing | not_started


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
        return sum(c.max_points for c in self.checks if c.status != "skipped")

    def exercises(self) -> list[ExerciseScore]:
        """Per-exercise totals, in the order the checks appear (catalog order)."""
        names = list(dict.fromkeys(c.exercise for c in self.checks))
        scores = []
        for name in names:
            own = [c for c in self.checks if c.exercise == name and c.status != "skipped"]
            if not own:  # only skipped checks (gpu): nothing to score
                continue
            passed = sum(c.passed for c in own)
            if passed == len(own):
                state = "done"
            elif all(c.status == "not_started" for c in own):
                state = "not_started"
            else:
                state = "failing"
            scores.append(
                ExerciseScore(
                    name, sum(c.points for c in own), sum(c.max_points for c in own), passed, len(own), state
                )
            )
        return scores

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
    def from_dict(cls, data: dict[str, Any]) -> "Submission":
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

    def write_json(self, path: Path) -> None:
        write_json_atomically(path, self.to_dict())

    @classmethod
    def read_json(cls, path: Path) -> "Submission":
        return cls.from_dict(json.loads(path.read_text()))


def write_json_atomically(path: Path, data: Any, sort_keys: bool = False) -> None:
    """A reader (or a rerun after a kill) sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
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
