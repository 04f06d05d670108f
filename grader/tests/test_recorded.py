"""Recorded verdicts of a few fixed submissions: a change to the grader shows what it changes.

Every check of the solutions, the untouched stubs and three example learners
(partial, buggy, crashing) is graded through the learner's `Runner`, and its
status, points, message and diagnosis compared with `recorded/<name>.json`.
A change that alters a verdict on purpose re-records them:

    TORCHDRILL_RECORD=1 python -m pytest grader/tests/test_recorded.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from grader.core.session import Target
from grader.learner.runner import Runner
from grader.tests.conftest import COURSE, ROOT

RECORDED = Path(__file__).parent / "recorded"
EXERCISES = ("ex01_tensors", "ex02_autograd", "ex05_losses")
SUBMISSIONS = {
    "solutions": ROOT / "solutions",
    "stubs": ROOT / "exercises",
    "ben-partial": ROOT / "examples" / "class" / "ben-partial",
    "cai-buggy": ROOT / "examples" / "class" / "cai-buggy",
    "dee-crashing": ROOT / "examples" / "class" / "dee-crashing",
}


def verdicts(folder: Path, tmp_path: Path) -> dict[str, list]:
    """Per check: status, points, message (its temporary folder named alike every time), diagnosis."""
    copy = tmp_path / "submission"
    copy.mkdir()
    for exercise in EXERCISES:
        if (folder / f"{exercise}.py").is_file():
            shutil.copy(folder / f"{exercise}.py", copy)
    submission = Runner(COURSE, Target("recorded", copy), jobs=2).grade(list(EXERCISES))
    text = lambda message: re.sub(re.escape(str(copy)), "SUBMISSION", message)  # noqa: E731
    # A skipped run (a GPU check where there is no GPU) depends on the machine, not on the grader.
    return {c.key: [str(c.status), c.points, text(c.message), c.diagnosis] for c in submission.checks if c.status != "skipped"}


@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_verdicts_are_those_recorded(name, tmp_path):
    found = verdicts(SUBMISSIONS[name], tmp_path)
    path = RECORDED / f"{name}.json"
    if os.environ.get("TORCHDRILL_RECORD"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(found, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    recorded = json.loads(path.read_text())
    changed = {key: (recorded.get(key), found.get(key)) for key in recorded.keys() | found.keys() if recorded.get(key) != found.get(key)}
    assert changed == {}, f"{len(changed)} verdicts changed (TORCHDRILL_RECORD=1 re-records them)"
    statuses = {verdict[0] for verdict in found.values()}
    assert statuses == {"solutions": {"passed"}, "stubs": {"not_started"}}.get(name, statuses) and len(found) >= 30
