"""Grading a whole class: one folder per learner, in parallel, resumable.

The trusted side (this module, and the grading processes it forks) computes
reference observations and judges; learner code runs only in sandboxed workers
(`grader.classroom.sandbox`). Reference observations of visible checks are
computed once, before the grading processes fork, and shared by every learner;
hidden checks are seeded per (course secret, learner, check), so their
references are computed per learner.

Each learner's result is written atomically (`grader.classroom.records`) as soon
as it is known, together with a fingerprint of everything that decided it
(staged files, course, secret, options). A rerun skips learners whose
fingerprint is unchanged, so an interrupted run is finished by running it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from grader import __version__
from grader.classroom import staging
from grader.classroom.records import ClassRecord, LearnerSummary, ResultsFolder, lane_fingerprint
from grader.classroom.shards import Shard
from grader.classroom.client import Worker
from grader.classroom.sandbox import Layout, SandboxMode
from grader.core import determinism
from grader.core.checks import Check
from grader.core.course import Course
from grader.core.plan import plan
from grader.core.references import References
from grader.core.results import GradedFile, Status, Submission, environment
from grader.core.scoring import unscored
from grader.core.session import Session, Target, seed_of
from grader.core.suites import load_suite
from grader.run import devices


@dataclass(frozen=True)
class Options:
    submissions: Path
    out: Path
    jobs: int
    sandbox: SandboxMode
    secret: str
    exercises: tuple[str, ...]
    timeout: float | None = None  # per check; None: each check's own
    learner_timeout: float = 900.0  # per learner, all checks together
    force: bool = False
    shard: Shard | None = None  # grade only this share of the learners; None: all of them
    devices: tuple[str, ...] = ()  # a lane: grade only the runs on these devices; (): every run


@dataclass
class ClassRun:
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    summaries: list[LearnerSummary] = field(default_factory=list)
    duration: float = 0.0
    interrupted: bool = False


# --- secrets and fingerprints ------------------------------------------------------------


def course_secret(course: Course, given: str | None) -> str:
    """The secret that seeds hidden checks: given, from TORCHDRILL_SECRET, or made once per course."""
    if given:
        return given
    if os.environ.get("TORCHDRILL_SECRET"):
        return os.environ["TORCHDRILL_SECRET"]
    path = course.secret_file
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(16) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def secret_is_set(course: Course, given: str | None) -> bool:
    """A secret is given or made already: the machines grading shards or lanes of one class need the same."""
    return bool(given or os.environ.get("TORCHDRILL_SECRET") or course.secret_file.is_file())


def secret_id(secret: str) -> str:
    """Names the secret in the results without revealing it."""
    return hashlib.sha256(f"torchdrill-secret\x1f{secret}".encode()).hexdigest()[:12]


def hidden_salt(secret: str, learner: str) -> str:
    return f"{secret}\x1f{learner}"


def course_fingerprint(course: Course) -> str:
    """Changes whenever the grader, a suite or a solution changes: then everyone is regraded."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parents[1]  # the grader that runs, wherever it is installed
    for folder, pattern in ((package, "**/*.py"), (course.suites, "test_*.py"), (course.solutions, "*.py")):
        for path in sorted(folder.glob(pattern)):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def learner_fingerprint(course: str, staged: staging.Staged, options: Options) -> str:
    settings = [course, staged.content_hash(), secret_id(options.secret), ",".join(options.exercises), str(options.timeout)]
    return lane_fingerprint(hashlib.sha256("\x1f".join(settings).encode()).hexdigest(), options.devices)


def _stage(folder: Path, dest: Path, exercises: list[str]) -> staging.Staged:
    """The learner's staged files; a failure to stage them is that learner's outcome, not the class's."""
    try:
        return staging.stage(folder, dest, exercises)
    except Exception as error:  # noqa: BLE001 - whatever a submission folder holds, the class goes on
        reason = f"this submission could not be staged ({type(error).__name__}): look at its folder by hand"
        dest.mkdir(parents=True, exist_ok=True)
        return staging.Staged(folder.name, dest, problems=dict.fromkeys(exercises, reason), notes=[reason])


def _unchanged(results: ResultsFolder, learner: str, fingerprint: str) -> LearnerSummary | None:
    """The learner's recorded summary, if nothing that decided it has changed since."""
    if results.previous_fingerprint(learner) != fingerprint:
        return None
    try:
        return LearnerSummary.of(results.read_learner(learner), fingerprint, skipped=True)
    except (OSError, ValueError, KeyError, TypeError):  # a results file damaged since: grade again
        return None


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM ends the class as Ctrl-C does: workers stopped, temporary folders removed, results kept."""

    def interrupt(number: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def learner_folders(submissions: Path, shard: Shard | None = None) -> list[Path]:
    """One sub-folder per learner (its name is the learner id); those of `shard` only, when given."""
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions}: no such folder (expected one sub-folder per learner)")
    folders = (p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    return sorted(p for p in folders if shard is None or shard.holds(p.name))


# --- inside a grading process ----------------------------------------------------------------


@dataclass
class _Process:
    """Per grading process: its worker, and the references inherited from the parent."""

    worker: Worker
    references: References
    checks: list[Check]
    options: Options


_process: _Process | None = None


def _start_process(course: Course, scratch_base: Path, references: References, checks: list[Check], options: Options, warm: tuple) -> None:
    global _process
    scratch = Path(tempfile.mkdtemp(prefix="worker-", dir=scratch_base))
    inbox = scratch / "inbox"
    inbox.mkdir()
    worker = Worker(Layout(course.root, inbox, scratch), options.sandbox, warm)
    worker.start()
    _process = _Process(worker, references, checks, options)


def _grade_learner(learner: str, staged: staging.Staged, fingerprint: str) -> LearnerSummary:
    """Grade one learner in this grading process; whatever goes wrong, that learner gets a result."""
    assert _process is not None
    try:
        return _graded(learner, staged, fingerprint)
    except Exception as error:  # noqa: BLE001 - a failure to grade or record one learner is that learner's outcome
        message = f"the grader could not grade this submission ({type(error).__name__}: {error}): look at it by hand"
        return _record_unscored(learner, staged, fingerprint, message, _process.checks, _process.options)


def _graded(learner: str, staged: staging.Staged, fingerprint: str) -> LearnerSummary:
    assert _process is not None
    started = time.monotonic()
    worker, options = _process.worker, _process.options
    _fill(worker.layout.inbox, staged.folder)
    session = Session(
        Target(learner, worker.layout.inbox),
        _process.references,
        worker,
        salt=hidden_salt(options.secret, learner),
        timeout=options.timeout,
    )
    planned = plan(_process.checks, worker.unusable, problems=staged.problems, lane=options.devices)
    results = session.grade(planned, deadline=started + options.learner_timeout)
    worker.end()
    _fill(worker.layout.inbox, None)
    submission = Submission(
        target=learner,
        checks=results,
        files=[GradedFile(f.exercise, f.source, f.sha256) for f in staged.files],
        environment=environment() | {"sandbox": str(options.sandbox), "device": "cpu"}
        | ({"lane": "+".join(options.devices)} if options.devices else {}),  # the devices a lane graded
        duration=time.monotonic() - started,
        learner=learner,
        hints=staged.hints,
        notes=staged.notes,
    )
    ResultsFolder(options.out).write_learner(submission, fingerprint)
    return LearnerSummary.of(submission, fingerprint)


def _fill(inbox: Path, source: Path | None) -> None:
    """Empty the inbox (the directory itself stays: it is bind-mounted), then copy one learner in."""
    for entry in inbox.iterdir():
        shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    if source is not None:
        for path in source.iterdir():
            shutil.copyfile(path, inbox / path.name)
            (inbox / path.name).chmod(0o644)  # the root fallback's worker reads it unprivileged


# --- the parent ----------------------------------------------------------------------------


def load_checks(course: Course, exercises: tuple[str, ...]) -> list[Check]:
    return [check for exercise in exercises for check in load_suite(course.suite(exercise))]


def lane_refusal(checks: list[Check], lane: tuple[str, ...]) -> str:
    """Why this machine cannot grade the lane of `lane`'s devices ("" when it can).

    A lane on a machine without its device would record every run of it as skipped: refused
    before anything is graded, with what to do instead.
    """
    declared = sorted({device for check in checks for device in check.devices})
    for device in lane:
        if device not in declared:
            return f"--devices {device}: no check of these exercises runs on {device} (they run on {', '.join(declared)})"
        if reason := devices.unusable(device):
            return f"--devices {device}: this lane cannot be graded here ({reason}); run it on a machine that has {device}"
    return ""


def warm_references(references: References, checks: list[Check], course: Course) -> tuple[str, ...]:
    """Visible checks' references, once for the whole class, before the grading processes fork.
    Returns the modules they imported first, the course's own aside: each worker imports them once
    (`grader.classroom.worker`), where a learner's child would for each exercise that uses them."""
    before = set(sys.modules)
    for check in checks:
        if not check.hidden:
            references.outcome(check, seed_of(check))
    own = [folder.resolve() for folder in (course.solutions, course.suites, course.exercises)]
    files = {name: getattr(module, "__file__", None) for name, module in list(sys.modules.items()) if name not in before}
    return tuple(name for name, file in files.items() if not (isinstance(file, str) and any(Path(file).resolve().is_relative_to(f) for f in own)))


Progress = Callable[[LearnerSummary, int, int], None]


def grade_class(course: Course, options: Options, progress: Progress | None = None) -> ClassRun:
    started = time.monotonic()
    exercises = options.exercises or tuple(course.catalog.names)
    options = replace(options, exercises=exercises)
    folders = learner_folders(options.submissions, options.shard)
    fingerprint = course_fingerprint(course)
    results = ResultsFolder(options.out)
    run = ClassRun()
    work = Path(tempfile.mkdtemp(prefix="torchdrill-class-"))
    try:
        with interruptible():
            todo = []
            for index, folder in enumerate(folders):
                staged = _stage(folder, work / "staged" / str(index), list(exercises))
                print_id = learner_fingerprint(fingerprint, staged, options)
                previous = _unchanged(results, folder.name, print_id) if not options.force else None
                if previous is not None:
                    run.summaries.append(previous)
                    if progress:
                        progress(previous, len(run.summaries), len(folders))
                else:
                    todo.append((folder.name, staged, print_id))
            if todo:
                run.interrupted = not _grade_all(course, options, todo, work, run, len(folders), progress)
    except KeyboardInterrupt:
        run.interrupted = True
    finally:
        _remove(work)
    run.duration = time.monotonic() - started
    run.summaries.sort(key=lambda s: s.learner)
    if not run.interrupted:
        write_class_file(options, run, [f.name for f in folders], fingerprint)
    return run


def _remove(folder: Path, grace: float = 10.0) -> None:
    """Remove the run's scratch folder, again while grading processes on their way out still write
    into it (a removal that raced one leaves a folder behind): until it is gone, `grace` at most."""
    deadline = time.monotonic() + grace
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists() or time.monotonic() > deadline:
            return
        time.sleep(0.1)


def _grade_all(
    course: Course, options: Options, todo: list, work: Path, run: ClassRun, total: int, progress: Progress | None
) -> bool:
    """Grade `todo` in parallel; False when interrupted.

    A grading process that dies (only learner code run without bubblewrap can
    reach it) breaks the pool: the learners it took down are regraded one at a
    time, each in a fresh pool, and one that breaks that too is recorded as not
    gradable instead of stopping the class.
    """
    determinism.configure_process()
    references = References(course.solutions)
    checks = load_checks(course, options.exercises)
    warm = warm_references(references, checks, course)
    devices.available("cuda")  # asked once here, before the pool forks: every process inherits the answer
    start = (course, work, references, checks, options, warm)

    def record(summary: LearnerSummary) -> None:
        run.summaries.append(summary)
        if progress:
            progress(summary, len(run.summaries), total)

    try:
        broken = _run_pool(todo, max(1, min(options.jobs, len(todo))), start, record)
        for item in broken:
            if _run_pool([item], 1, start, record):
                message = "grading this submission killed the grading process twice; it was not graded (look at it by hand)"
                record(_record_unscored(*item, message, checks, options))
    except KeyboardInterrupt:
        return False
    return True


def _run_pool(todo: list, jobs: int, start: tuple, record: Callable[[LearnerSummary], None]) -> list:
    """Grade `todo` in a pool of `jobs` processes; returns the items lost to a broken pool.

    Interrupted (Ctrl-C, SIGTERM), the pool's processes are killed, and their sandboxed
    workers with them (they die with their parent): nothing of the class keeps running.
    """
    pool = ProcessPoolExecutor(jobs, multiprocessing.get_context("fork"), initializer=_start_process, initargs=start)
    futures = {pool.submit(_grade_learner, *item): item for item in todo}
    broken = []
    try:
        for future in as_completed(futures):
            try:
                record(future.result())
            except BrokenProcessPool:
                broken.append(futures[future])
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):  # no public way before Python 3.14
            process.kill()
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return broken


def _record_unscored(
    learner: str, staged: staging.Staged, fingerprint: str, message: str, checks: list[Check], options: Options
) -> LearnerSummary:
    """A learner whose submission could not be graded: every check crashed, with `message`, recorded
    (but those another lane grades: they are skipped, as in every result of this lane)."""
    results = []
    for run in plan(checks, lambda device: "", lane=options.devices):
        status, why = (run.not_run.status, run.not_run.message) if run.not_run else (Status.CRASHED, message)
        results.append(unscored(run.check, run.device, status, why))
    submission = Submission(target=learner, checks=results, learner=learner, hints=staged.hints, notes=staged.notes)
    try:
        ResultsFolder(options.out).write_learner(submission, fingerprint)
    except OSError as error:  # the results folder itself: say so in this run's summary, go on
        submission.notes.append(f"its results could not be written ({error.strerror})")
    return LearnerSummary.of(submission, fingerprint)


def write_class_file(options: Options, run: ClassRun, learners: list[str], course: str) -> None:
    """class.json; `course` is the course's fingerprint (`course_fingerprint`), which a merge compares."""
    by_learner = {s.learner: s for s in run.summaries}
    record = ClassRecord(
        started=run.started.isoformat(timespec="seconds"),
        duration=round(run.duration, 2),
        jobs=options.jobs,
        sandbox=str(options.sandbox),
        grader=__version__,
        secret_id=secret_id(options.secret),
        exercises=list(options.exercises),
        regraded=sum(not s.skipped for s in run.summaries),
        learners=[by_learner[name].line() for name in learners if name in by_learner],
        course=course,
        timeout=options.timeout,
        shard=str(options.shard or ""),
        devices=list(options.devices),
    )
    ResultsFolder(options.out).write_class(record)
