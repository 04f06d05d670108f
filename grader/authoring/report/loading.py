"""Reading a class results folder: `learners/<id>.json` and `class.json`.

The folder is the class grader's output, and the only input of the reports.
A folder assembled by hand (one `grade --json` per learner, no `class.json`)
is read too: the class summary then holds what the learners' files tell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.classroom.records import ClassRecord, ResultsFolder
from grader.core.results import Submission


@dataclass
class ClassResults:
    run: ClassRecord
    submissions: list[Submission]  # sorted by learner id; each has `learner` set
    exercises: list[str]  # catalog order, then any other exercise in order of appearance
    titles: dict[str, str] = field(default_factory=dict)  # exercise -> catalog title


def load(folder: Path, catalog_order: list[str] | None = None, titles: dict[str, str] | None = None) -> ClassResults:
    """Every learner's results in `folder`, with exercises in catalog order."""
    results = ResultsFolder(folder)
    files = results.learner_files()
    if not files:
        raise FileNotFoundError(f"no learner results in {folder / 'learners'} (is it a class results folder?)")
    submissions = sorted((_read_submission(path) for path in files), key=lambda s: s.learner)
    run = results.read_class() or ClassRecord()
    return ClassResults(run, submissions, exercise_order(submissions, catalog_order or []), titles or {})


def _read_submission(path: Path) -> Submission:
    """The learner id is the file's name when the results do not carry one."""
    submission = Submission.read_json(path)
    submission.learner = submission.learner or path.stem
    return submission


def exercise_order(submissions: list[Submission], catalog_order: list[str]) -> list[str]:
    """The exercises graded for anyone: catalog order first, unknown ones after, as they appear."""
    seen = dict.fromkeys(c.exercise for s in submissions for c in s.checks)
    return [name for name in catalog_order if name in seen] + [name for name in seen if name not in catalog_order]
