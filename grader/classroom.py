"""Grading a whole class: one folder per learner, in parallel, resumable.

The trusted side (this module, and the grading processes it forks) computes
reference observations and judges; learner code runs only in sandboxed workers
(`grader.sandbox`). Reference observations of visible checks are computed once,
before the grading processes fork, and shared by every learner; hidden checks
are seeded per (course secret, learner, check), so their references are
computed per learner.

Each learner's result is written atomically to RESULTS/learners/<id>.json as
soon as it is known, together with a fingerprint of everything that decided it
(staged files, course, secret, options). A rerun skips learners whose
fingerprint is unchanged, so an interrupted run is finished by running it again.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from grader import __version__, catalog, devices, staging, suites
from grader.checks import Check
from grader.grading import Grader, References, Target
from grader.results import (
    CheckResult,
    GradedFile,
    Submission,
    environment,
    write_json_atomically,
)
from grader.sandbox import Layout, Worker
from grader.scoring import unscored

LEARNERS = "learners"
CLASS_FILE = "class.json"
SECRET_FILE = Path(".torchdrill") / "course-secret"


@dataclass(frozen=True)
class Options:
    submissions: Path
    out: Path
    jobs: int
    sandbox: str  # bwrap | none (resolved)
    secret: str
    exercises: tuple[str, ...]
    timeout: float | None = None  # per check; None: each check's own
    learner_timeout: float = 900.0  # per learner, all checks together
    force: bool = False


@dataclass(frozen=True)
class LearnerSummary:
    """What the progress display and the final table need of one learner."""

    learner: str
    score: float
    max_score: float
    outcome: str  # passed (full marks) | failed | errored (some check timed out or crashed)
    duration: float
    fingerprint: str
    skipped: bool = False  # unchanged since the last run: not regraded


@dataclass
class ClassRun:
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    summaries: list[LearnerSummary] = field(default_factory=list)
    duration: float = 0.0
    interrupted: bool = False


# --- secrets and fingerprints ------------------------------------------------------------


def course_secret(root: Path, given: str | None) -> str:
    """The secret that seeds hidden checks: given, from TORCHDRILL_SECRET, or made once per course."""
    if given:
        return given
    if os.environ.get("TORCHDRILL_SECRET"):
        return os.environ["TORCHDRILL_SECRET"]
    path = root / SECRET_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(16) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def secret_id(secret: str) -> str:
    """Names the secret in the results without revealing it."""
    return hashlib.sha256(f"torchdrill-secret\x1f{secret}".encode()).hexdigest()[:12]


def course_fingerprint(root: Path) -> str:
    """Changes whenever the grader, a suite or a solution changes: then everyone is regraded."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent  # the grader that runs, wherever it is installed
    for folder, pattern in ((package, "*.py"), (root / "tests", "test_*.py"), (root / "solutions", "*.py")):
        for path in sorted(folder.glob(pattern)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def learner_fingerprint(course: str, staged: staging.Staged, options: Options) -> str:
    settings = [course, staged.content_hash(), secret_id(options.secret), ",".join(options.exercises), str(options.timeout)]
    return hashlib.sha256("\x1f".join(settings).encode()).hexdigest()


# --- the learners --------------------------------------------------------------------------


def learner_folders(submissions: Path) -> list[Path]:
    """One sub-folder per learner; its name is the learner id."""
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions}: no such folder (expected one sub-folder per learner)")
    return sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))


def result_path(out: Path, learner: str) -> Path:
    return out / LEARNERS / f"{learner}.json"


def previous_fingerprint(path: Path) -> str | None:
    try:
        return json.loads(path.read_text()).get("fingerprint")
    except (OSError, ValueError):
        return None


# --- inside a grading process ----------------------------------------------------------------


@dataclass
class _Process:
    """Per grading process: its worker, and the references inherited from the parent."""

    worker: Worker
    references: References
    checks: list[Check]
    options: Options


_process: _Process | None = None


def _start_process(root: Path, scratch_base: Path, references: References, checks: list[Check], options: Options) -> None:
    global _process
    scratch = Path(tempfile.mkdtemp(prefix="worker-", dir=scratch_base))
    inbox = scratch / "inbox"
    inbox.mkdir()
    worker = Worker(Layout(root, inbox, scratch), options.sandbox)
    worker.start()
    _process = _Process(worker, references, checks, options)


def _grade_learner(learner: str, staged: staging.Staged, fingerprint: str) -> LearnerSummary:
    assert _process is not None
    started = time.monotonic()
    inbox = _process.worker.layout.inbox
    _fill(inbox, staged.folder)
    options = _process.options
    grader = Grader(
        Target(learner, inbox),
        _process.references,
        timeout=options.timeout,
        salt=hidden_salt(options.secret, learner),
        run=_process.worker.run,
    )
    results = grade_checks(grader, _process.worker, _process.checks, staged, deadline=started + options.learner_timeout)
    _process.worker.clean()
    _fill(inbox, None)
    submission = Submission(
        target=learner,
        checks=results,
        files=[GradedFile(f.exercise, f.source, f.sha256) for f in staged.files],
        environment=environment() | {"sandbox": options.sandbox, "device": "cpu"},
        duration=time.monotonic() - started,
        learner=learner,
        hints=staged.hints,
        notes=staged.notes,
    )
    write_result(result_path(options.out, learner), submission, fingerprint)
    return summarize(submission, fingerprint)


def hidden_salt(secret: str, learner: str) -> str:
    return f"{secret}\x1f{learner}"


def _fill(inbox: Path, source: Path | None) -> None:
    """Empty the inbox (the directory itself stays: it is bind-mounted), then copy one learner in."""
    for entry in inbox.iterdir():
        shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    if source is not None:
        for path in source.iterdir():
            shutil.copyfile(path, inbox / path.name)
            (inbox / path.name).chmod(0o644)  # the root fallback's worker reads it unprivileged


def grade_checks(
    grader: Grader, worker: Worker, checks: list[Check], staged: staging.Staged, deadline: float
) -> list[CheckResult]:
    """Every check on every device, in catalog order; never raises for learner behaviour.

    The checks of one exercise go to the worker together (they share a child there).
    """
    results: dict[tuple[str, str], CheckResult] = {}
    runnable: dict[str, list[tuple[Check, str]]] = {}
    for check in checks:
        for device in check.devices:
            if check.exercise in staged.problems:
                results[check.key, device] = unscored(check, device, "error", staged.problems[check.exercise])
            elif device != "cpu" and not devices.available(device):
                results[check.key, device] = unscored(check, device, "skipped", f"needs {device}, and the grading machine has none")
            else:
                runnable.setdefault(check.exercise, []).append((check, device))
    for exercise_checks in runnable.values():
        jobs = [grader.job(check, device) for check, device in exercise_checks]
        for (check, device), outcome in zip(exercise_checks, worker.run_many(jobs, deadline), strict=True):
            if outcome is None:
                results[check.key, device] = unscored(check, device, "timeout", "the time allowed for this whole submission ran out")
            else:
                results[check.key, device] = grader.judge(check, device, outcome)
    return [results[check.key, device] for check in checks for device in check.devices]


def write_result(path: Path, submission: Submission, fingerprint: str) -> None:
    write_json_atomically(path, submission.to_dict() | {"fingerprint": fingerprint})


def summarize(submission: Submission, fingerprint: str, skipped: bool = False) -> LearnerSummary:
    statuses = {c.status for c in submission.checks if c.status != "skipped"}
    if statuses & {"timeout", "crashed"}:
        outcome = "errored"
    elif statuses <= {"passed"}:
        outcome = "passed"
    else:
        outcome = "failed"
    return LearnerSummary(
        submission.learner, submission.points, submission.max_points, outcome, submission.duration, fingerprint, skipped
    )


# --- the parent ----------------------------------------------------------------------------


def load_checks(root: Path, exercises: tuple[str, ...]) -> list[Check]:
    return [check for exercise in exercises for check in suites.load_suite(suites.suite_path(root, exercise))]


def warm_references(references: References, checks: list[Check]) -> None:
    """Visible checks' references, once for the whole class, before the grading processes fork."""
    seeding = Grader(Target("", Path()), references)
    for check in checks:
        if not check.hidden:
            references.outcome(check, seeding.seed(check))


Progress = Callable[[LearnerSummary, int, int], None]


def grade_class(root: Path, options: Options, progress: Progress | None = None) -> ClassRun:
    started = time.monotonic()
    course = catalog.load(root)
    exercises = options.exercises or tuple(course.names)
    options = Options(**{**options.__dict__, "exercises": exercises})
    folders = learner_folders(options.submissions)
    fingerprint = course_fingerprint(root)
    run = ClassRun()
    work = Path(tempfile.mkdtemp(prefix="torchdrill-class-"))
    try:
        todo = []
        for folder in folders:
            staged = staging.stage(folder, work / "staged" / folder.name, list(exercises))
            print_id = learner_fingerprint(fingerprint, staged, options)
            path = result_path(options.out, folder.name)
            if not options.force and previous_fingerprint(path) == print_id:
                summary = summarize(Submission.read_json(path), print_id, skipped=True)
                run.summaries.append(summary)
                if progress:
                    progress(summary, len(run.summaries), len(folders))
            else:
                todo.append((folder.name, staged, print_id))
        if todo:
            run.interrupted = not _grade_all(root, options, todo, work, run, len(folders), progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    run.duration = time.monotonic() - started
    run.summaries.sort(key=lambda s: s.learner)
    if not run.interrupted:
        write_class_file(options, run, [f.name for f in folders])
    return run


def _grade_all(root: Path, options: Options, todo: list, work: Path, run: ClassRun, total: int, progress: Progress | None) -> bool:
    """Grade `todo` in parallel; False when interrupted.

    A grading process that dies (only learner code run without bubblewrap can
    reach it) breaks the pool: the learners it took down are regraded one at a
    time, each in a fresh pool, and one that breaks that too is recorded as not
    gradable instead of stopping the class.
    """
    from grader import determinism

    determinism.configure_process()
    references = References(root / "solutions")
    checks = load_checks(root, options.exercises)
    warm_references(references, checks)
    start = (root, work, references, checks, options)

    def record(summary: LearnerSummary) -> None:
        run.summaries.append(summary)
        if progress:
            progress(summary, len(run.summaries), total)

    try:
        broken = _run_pool(todo, max(1, min(options.jobs, len(todo))), start, record)
        for item in broken:
            if _run_pool([item], 1, start, record):
                record(_not_gradable(item, checks, options))
    except KeyboardInterrupt:
        return False
    return True


def _run_pool(todo: list, jobs: int, start: tuple, record: Callable[[LearnerSummary], None]) -> list:
    """Grade `todo` in a pool of `jobs` processes; returns the items lost to a broken pool."""
    pool = ProcessPoolExecutor(jobs, multiprocessing.get_context("fork"), initializer=_start_process, initargs=start)
    futures = {pool.submit(_grade_learner, *item): item for item in todo}
    broken = []
    try:
        for future in as_completed(futures):
            try:
                record(future.result())
            except BrokenProcessPool:
                broken.append(futures[future])
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return broken


def _not_gradable(item: tuple, checks: list[Check], options: Options) -> LearnerSummary:
    learner, staged, fingerprint = item
    message = "grading this submission killed the grading process twice; it was not graded (look at it by hand)"
    results = [unscored(check, device, "crashed", message) for check in checks for device in check.devices]
    submission = Submission(target=learner, checks=results, learner=learner, hints=staged.hints, notes=staged.notes)
    write_result(result_path(options.out, learner), submission, fingerprint)
    return summarize(submission, fingerprint)


def write_class_file(options: Options, run: ClassRun, learners: list[str]) -> None:
    by_learner = {s.learner: s for s in run.summaries}
    data = {
        "schema_version": 1,
        "grader": __version__,
        "started": run.started.isoformat(timespec="seconds"),
        "duration": round(run.duration, 2),
        "jobs": options.jobs,
        "sandbox": "bubblewrap" if options.sandbox == "bwrap" else "none",
        "secret_id": secret_id(options.secret),
        "exercises": list(options.exercises),
        "learners": [
            {
                "learner": name,
                "score": by_learner[name].score,
                "max_score": by_learner[name].max_score,
                "outcome": by_learner[name].outcome,
                "duration": round(by_learner[name].duration, 2),
                "content_hash": by_learner[name].fingerprint,
            }
            for name in learners
            if name in by_learner
        ],
    }
    write_json_atomically(options.out / CLASS_FILE, data)
