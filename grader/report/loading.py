"""Reading a class results folder: `learners/<id>.json` and `class.json`.

The folder is the class grader's output, and the only input of the reports.
A folder assembled by hand (one `grade --json` per learner, no `class.json`)
is read too: the class summary then holds what the learners' files tell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.results import Submission

LEARNERS_DIR = "learners"
CLASS_FILE = "class.json"


@dataclass(frozen=True)
class ClassRun:
    """How the class was graded (class.json): when, how long, how isolated."""

    started: str = ""  # ISO time; "" when unknown
    duration: float = 0.0  # seconds of wall time for the whole class
    jobs: int = 0  # 0: unknown
    sandbox: str = ""  # bubblewrap | none | "" (unknown)
    grader: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClassRun:
        return cls(
            started=str(data.get("started", "")),
            duration=float(data.get("duration", 0.0)),
            jobs=int(data.get("jobs", 0)),
            sandbox=str(data.get("sandbox", "")),
            grader=str(data.get("grader", "")),
        )


@dataclass
class ClassResults:
    run: ClassRun
    submissions: list[Submission]  # sorted by learner id; each has `learner` set
    exercises: list[str]  # catalog order, then any other exercise in order of appearance
    titles: dict[str, str] = field(default_factory=dict)  # exercise -> catalog title


def load(folder: Path, catalog_order: list[str] | None = None, titles: dict[str, str] | None = None) -> ClassResults:
    """Every learner's results in `folder`, with exercises in catalog order."""
    files = sorted((folder / LEARNERS_DIR).glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no learner results in {folder / LEARNERS_DIR} (is it a class results folder?)")
    submissions = [_read_submission(path) for path in files]
    summary = folder / CLASS_FILE
    run = ClassRun.from_dict(json.loads(summary.read_text())) if summary.is_file() else ClassRun()
    return ClassResults(run, submissions, exercise_order(submissions, catalog_order or []), titles or {})


def _read_submission(path: Path) -> Submission:
    """The learner id is the file's name when the results do not carry one.

    The id names the report's files for that learner, so it must be a plain file name.
    """
    submission = Submission.read_json(path)
    submission.learner = submission.learner or path.stem
    if Path(submission.learner).name != submission.learner or submission.learner in (".", ".."):
        raise ValueError(f"{path}: learner id {submission.learner!r} is not a plain file name")
    return submission


def exercise_order(submissions: list[Submission], catalog_order: list[str]) -> list[str]:
    """The exercises graded for anyone: catalog order first, unknown ones after, as they appear."""
    seen = dict.fromkeys(c.exercise for s in submissions for c in s.checks)
    return [name for name in catalog_order if name in seen] + [name for name in seen if name not in catalog_order]
