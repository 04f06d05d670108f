"""PrairieLearn: one exercise's results as an external grader's `results.json`, and the grading job's run.

PrairieLearn's external grader contract: for each submission it starts the
question's Docker image with the job's files mounted under /grade (the course's
`serverFilesCourse` folders listed in `info.json` under /grade/serverFilesCourse,
the question's `tests/` under /grade/tests, the learner's files under
/grade/student, the question's `data` as /grade/data/data.json) and runs the
entrypoint. It reads /grade/results/results.json only if the entrypoint exits 0,
only if the file is at most 1 MiB, and then `score` (0 to 1), `gradable`
(false: "invalid, not gradable", no attempt used, with `format_errors`),
`message`, `output` and `tests` (`name`, `description`, `points`, `max_points`,
`message`, `output`), which `<pl-external-grader-results>` shows at once (the JSON
Schema is `grader/authoring/prairielearn_bundle/results.schema.json`).

`results_json` maps a `Submission` to that: one test per check, worded by
`grader.authoring.autograder.feedback` as on Gradescope (a hidden check's status
alone; PrairieLearn has no publication step, so hidden checks' points count and
show at once), `score` the share of the points of the checks that count (a GPU
check PrairieLearn cannot run is a test worth nothing that says why). A submission
holding none of the question's exercise files is not gradable: the learner keeps
the attempt and is told which file was expected.

`autograde` is what the bundle's `run.sh` calls: /grade/student graded as a class
of one (`grader.authoring.autograder.grade_folder`), hidden checks seeded by the
course secret and the question variant's seed (so a resubmission to the same
variant meets the same hidden inputs), within the job's time limit less the time
to start and report; the results are always written, and the command exits 0
whenever it wrote them, a failure to grade included (PrairieLearn would otherwise
show the learner nothing but "could not read grading results").
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from grader.authoring import autograder
from grader.authoring.autograder import closing_lines, feedback, number, scored
from grader.core.course import Course
from grader.core.results import CheckResult, Status, Submission, write_json_atomically
from grader.core.suites import load_suite

ROOT_VARIABLE = "TORCHDRILL_GRADE_ROOT"
DEFAULT_ROOT = Path("/grade")
RESULTS_LIMIT = 1 << 20  # bytes: PrairieLearn refuses a larger results.json
REPORTING = 20.0  # seconds of a job's time limit kept for starting Python and writing the results
CUT = "\n… (cut: the results must fit in PrairieLearn's 1 MiB)"
FAILURE = "The autograder could not grade this submission ({}). It was not counted; your instructor has the details."


# --- results.json ---------------------------------------------------------------------


def results_json(submission: Submission, descriptions: dict[str, str] | None = None) -> dict[str, Any]:
    """The submission in PrairieLearn's results format; `descriptions`: check key -> one line on what it checks."""
    missing = _missing(submission)
    if missing:
        return {
            "gradable": False,
            "message": "Nothing was graded: " + "; ".join(missing.values()),
            "format_errors": [*missing.values(), *submission.notes],
        }
    counted = scored(submission)
    points, maximum = sum(c.points for c in counted), sum(c.max_points for c in counted)
    results = {
        "gradable": True,
        "score": number(points / maximum) if maximum else 0,
        "message": f"{points:g}/{maximum:g} points: {sum(c.passed for c in counted)} of {len(counted)} checks passed",
        "output": _summary(submission),
        "tests": [_test(check, (descriptions or {}).get(check.key, "")) for check in submission.checks],
    }
    return fit(results)


def _missing(submission: Submission) -> dict[str, str]:
    """Exercise -> why it was not graded, when none of the graded exercises' files was handed in."""
    handed_in = {f.exercise for f in submission.files if f.sha256}
    exercises = list(dict.fromkeys(c.exercise for c in submission.checks))
    if handed_in & set(exercises):
        return {}
    return {exercise: _why_missing(submission, exercise) for exercise in exercises}


def _why_missing(submission: Submission, exercise: str) -> str:
    """The message every check of the exercise has (no such file; staging's reason: too large, a link)."""
    messages = {c.message for c in scored(submission) if c.exercise == exercise}
    return messages.pop() if len(messages) == 1 and "" not in messages else f"no {exercise}.py in your submission"


def _test(check: CheckResult, description: str) -> dict[str, Any]:
    said = feedback(check)
    test = {
        "name": f"{check.exercise}::{check.name}",
        "description": "hidden check" if check.hidden else description,
        "points": number(check.points),
        "max_points": number(check.max_points),
        "message": said.message,
        "output": said.printed,
    }
    if check.status is Status.SKIPPED:  # worth nothing where it was not run: it says why
        test |= {"name": f"{test['name']} (skipped)", "max_points": 0}
    return test


def _summary(submission: Submission) -> str:
    lines = []
    for exercise in submission.exercises():
        lines.append(
            f"{exercise.exercise}: {exercise.points:g}/{exercise.max_points:g} points, {exercise.passed} of {exercise.total} checks passed"
        )
    hidden = [c for c in scored(submission) if c.hidden]
    if hidden:
        lines.append(f"{len(hidden)} of them hidden: their inputs and values are not shown")
    return "\n".join(lines + closing_lines(submission))


def fit(results: dict[str, Any], limit: int = RESULTS_LIMIT) -> dict[str, Any]:
    """Results that PrairieLearn accepts (at most `limit` bytes as written): the longest texts cut first."""
    texts = [(test, key) for test in results["tests"] for key in ("message", "output")]
    share = max((len(test[key]) for test, key in texts), default=0)
    while _size(results) > limit and share > 1:
        share //= 2
        for test, key in texts:
            if len(test[key]) > share + len(CUT):
                test[key] = test[key][:share] + CUT
    return results


def _size(results: dict[str, Any]) -> int:
    return len(json.dumps(results, indent=2).encode()) + 1


def descriptions(course: Course, exercises: tuple[str, ...]) -> dict[str, str]:
    """Check key -> the first line of its probe's docstring (what it checks), for visible checks."""
    found = {}
    for exercise in exercises:
        for check in load_suite(course.suite(exercise)):
            doc = (check.probe.__doc__ or "").strip().splitlines()
            for device in check.devices:
                found[f"{exercise}::{check.run_name(device)}"] = doc[0] if doc and not check.hidden else ""
    return found


# --- the grading job ------------------------------------------------------------------


def grade_root() -> Path:
    """PrairieLearn's /grade, or the folder named by $TORCHDRILL_GRADE_ROOT (the self-test's stand-in)."""
    return Path(os.environ.get(ROOT_VARIABLE) or DEFAULT_ROOT)


def learner_id(data_path: Path) -> str:
    """"variant-SEED": the question variant's seed from data.json, the same for every resubmission to it.

    PrairieLearn gives the grader no user id; the variant is the learner's own (each
    learner gets theirs), so hidden checks are seeded by it. Without data.json (a
    local dry run) every submission is "submission".
    """
    try:
        seed = json.loads(data_path.read_text()).get("variant_seed")
    except (OSError, ValueError, AttributeError):
        return "submission"
    return f"variant-{seed}" if type(seed) is int and seed >= 0 else "submission"


def autograde(course: Course, root: Path, exercise: str, time_limit: float, sandbox_mode: str = "auto") -> dict[str, Any]:
    """Grade root/student's `exercise` within `time_limit` seconds (the job's); write root/results/results.json."""
    if exercise not in course.catalog.names:
        raise ValueError(f"{exercise!r} is not an exercise of this course (catalog.toml lists {', '.join(course.catalog.names)})")
    learner = learner_id(root / "data" / "data.json")
    budget = max(time_limit - REPORTING, 10.0)
    submission = autograder.grade_folder(course, root / "student", learner, (exercise,), sandbox_mode, budget)
    results = results_json(submission, descriptions(course, (exercise,)))
    write_results(root, results)
    return results


def write_results(root: Path, results: dict[str, Any]) -> None:
    """root/results/results.json (PrairieLearn does not make the folder)."""
    write_json_atomically(root / "results" / "results.json", results)


def write_failure(root: Path, error: BaseException) -> None:
    """Not gradable, with a message: the learner keeps the attempt and is told that it was not counted."""
    message = FAILURE.format(type(error).__name__)
    write_results(root, {"gradable": False, "message": message, "format_errors": [message]})
