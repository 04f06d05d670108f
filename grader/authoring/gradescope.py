"""Gradescope: a learner's results as Gradescope's `results.json`, and the autograder's run.

`results_json` follows Gradescope's autograder specification (the JSON Schema is
`grader/authoring/gradescope_bundle/results.schema.json`): a top-level `score`,
`execution_time`, `output` and `visibility`, and one test per check with a stable
`number` ("2.5": exercise 2, its fifth check), `name`, `score`, `max_score`,
`status` (passed or failed), `output` and `visibility`.

Hidden checks are `after_published`: Gradescope shows them, with their points, when
the instructor publishes the grades, and hides the learner's total score (which
counts them) until then. Their output is the status only: never an expected value,
nor the inputs they were drawn with. The top-level output, visible at once, speaks
of visible checks only. Skipped checks (a GPU check: Gradescope has no GPU) are
tests worth 0 points that say why they were skipped.

`autograde` is what `run_autograder` (in the bundle, `grader.authoring.gradescope_bundle`)
calls for each submission on Gradescope: the files in /autograder/submission are
graded as a class of one (`grader.authoring.autograder.grade_folder`, hidden checks
seeded by the course secret and the learner's Gradescope id), and results.json is
written. What a test says of its check is `grader.authoring.autograder.feedback`,
shared with PrairieLearn.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from grader.authoring.autograder import closing_lines, feedback, grade_folder, number, scored
from grader.core.course import Course
from grader.core.results import CheckResult, Status, Submission, write_json_atomically

VISIBLE, AFTER_PUBLISHED = "visible", "after_published"
EXERCISE_NUMBER = re.compile(r"ex(\d+)_")
ROOT_VARIABLE = "AUTOGRADER_ROOT"
DEFAULT_ROOT = Path("/autograder")


# --- results.json ---------------------------------------------------------------------


def results_json(submission: Submission) -> dict[str, Any]:
    """The submission in Gradescope's results format (a plain dict, ready for json.dump)."""
    numbers = test_numbers(submission)
    return {
        "score": number(submission.points),
        "execution_time": round(submission.duration, 3),
        "output": _summary(submission),
        "visibility": VISIBLE,  # the summary speaks of visible checks only; each test sets its own
        "stdout_visibility": "hidden",  # the grader's log is for the instructor
        "tests": [_test(check, numbers[index]) for index, check in enumerate(submission.checks)],
    }


def write_results(submission: Submission, path: Path) -> None:
    """Write results.json for one learner."""
    write_json_atomically(path, results_json(submission))


def test_numbers(submission: Submission) -> list[str]:
    """"E.C" per check: E the exercise's number (ex02_autograd: 2), C the check's place in it.

    The same course gives every submission the same checks in the same order, so a
    check keeps its number from one submission (and one learner) to the next.
    """
    exercises = list(dict.fromkeys(check.exercise for check in submission.checks))
    seen: dict[str, int] = {}
    numbers = []
    for check in submission.checks:
        found = EXERCISE_NUMBER.match(check.exercise)
        exercise = int(found[1]) if found else exercises.index(check.exercise) + 1
        seen[check.exercise] = seen.get(check.exercise, 0) + 1
        numbers.append(f"{exercise}.{seen[check.exercise]}")
    return numbers


def _test(check: CheckResult, test_number: str) -> dict[str, Any]:
    test = {
        "number": test_number,
        "name": f"{check.exercise}::{check.name}",
        "score": number(check.points),
        "max_score": number(check.max_points),
        "status": "passed" if check.passed else "failed",
        "output": _output(check),
        "visibility": AFTER_PUBLISHED if check.hidden else VISIBLE,
    }
    if check.status is Status.SKIPPED:  # worth nothing here, neither passed nor failed: it says why
        del test["status"]
        test |= {"name": f"{test['name']} (skipped)", "max_score": 0, "tags": ["skipped"]}
    return test


def _output(check: CheckResult) -> str:
    """Gradescope shows one text per test: the feedback, then what the learner's code printed."""
    said = feedback(check)
    printed = f"your code printed:\n{said.printed}" if said.printed else ""
    return "\n".join(part for part in (said.message, printed) if part)


def _summary(submission: Submission) -> str:
    """What the learner sees at once: visible checks' points only (hidden ones wait for publication)."""
    lines = []
    for exercise in submission.exercises():
        checks = [c for c in scored(submission) if c.exercise == exercise.exercise]
        shown = [c for c in checks if not c.hidden]
        line = (
            f"{exercise.exercise}: {sum(c.points for c in shown):g}/{sum(c.max_points for c in shown):g} points"
            f" from visible checks, {sum(c.passed for c in shown)} of {len(shown)} passed"
        )
        hidden = [c for c in checks if c.hidden]
        if hidden:
            line += f"; {len(hidden)} hidden (worth {sum(c.max_points for c in hidden):g}) shown when grades are published"
        lines.append(line)
    shown = [c for c in scored(submission) if not c.hidden]
    lines.append(f"visible checks: {sum(c.points for c in shown):g}/{sum(c.max_points for c in shown):g} points")
    return "\n".join(lines + closing_lines(submission))



# --- the autograder run ----------------------------------------------------------------


def autograder_root() -> Path:
    """Gradescope's /autograder, or the folder named by $AUTOGRADER_ROOT (the self-test's stand-in)."""
    return Path(os.environ.get(ROOT_VARIABLE) or DEFAULT_ROOT)


def learner_id(metadata_path: Path) -> str:
    """The submitters' Gradescope user ids ("1234", or "1234+5678" for a group), stable across resubmissions.

    Hidden checks are seeded by it, so a learner who resubmits meets the same inputs.
    Without metadata (a local dry run) every submission is "submission".
    """
    try:
        metadata = json.loads(metadata_path.read_text())
    except (OSError, ValueError):
        return "submission"
    ids = sorted(str(user["id"]) for user in metadata.get("users") or [] if str(user.get("id", "")).isalnum())
    if ids:
        return "+".join(ids)
    submission = str(metadata.get("id", ""))
    return submission if submission.isalnum() else "submission"


def autograde(course: Course, root: Path, sandbox_mode: str = "auto") -> Submission:
    """Grade root/submission with `course`; write root/results/results.json."""
    learner = learner_id(root / "submission_metadata.json")
    submission = grade_folder(course, root / "submission", learner, tuple(course.catalog.names), sandbox_mode)
    write_results(submission, root / "results" / "results.json")
    return submission


def write_failure(root: Path, error: BaseException) -> None:
    """A results.json that says grading failed, so the learner sees a message rather than nothing."""
    output = (
        f"The autograder could not grade this submission ({type(error).__name__}). Your instructor has the details."
    )
    write_json_atomically(
        root / "results" / "results.json",
        {"score": 0, "output": output, "visibility": VISIBLE, "stdout_visibility": "hidden", "tests": []},
    )
