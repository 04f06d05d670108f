"""Grading without pytest: the fast path of the learner loop (`run`, `list`, `watch`).

`python -m grader grade` goes through pytest, which is right for a whole course
(selection, xdist, JUnit) but costs its import and collection on every call. The
learner loop grades one exercise at a time and wants its verdict as soon as
torch is imported, so it loads the graded suites directly (`grader.suites`) and
grades each check with the same `Grader` as the plugin: reference in this
process (from the solutions, or from goldens in a student release), learner
code in forked children (the checks of an exercise share one, see
`executor.execute_batch`). The checks are shared between this process
and forked workers, one per CPU. A `Runner` stays warm: `watch` keeps one and
re-grades with suites and reference observations cached.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import determinism, devices, executor, progress, suites
from grader.checks import Check
from grader.goldens import GoldenReferences, reference_source
from grader.grading import Grader, Target
from grader.results import CheckResult, GradedFile, Submission, environment, sha256_of
from grader.scoring import result_name, unscored

Run = tuple[Check, str]  # a check and the device it runs on
GradeShare = Callable[[list[Run]], list[CheckResult]]


class Runner:
    """A warm grading session for one target folder (suites and references cached)."""

    def __init__(self, root: Path, target: Target, jobs: int | None = None, warm: bool = False) -> None:
        """`warm`: a session that grades again and again (watch), worth preparing once."""
        determinism.configure_process()
        self.root = root
        self.jobs = max(1, jobs or len(os.sched_getaffinity(0)))
        self.grader = Grader(target, reference_source(root))
        self._suites: dict[str, list[Check]] = {}
        if warm and isinstance(self.grader.references, GoldenReferences):
            _import_before_forking()

    @property
    def target(self) -> Target:
        return self.grader.target

    def checks(self, exercise: str) -> list[Check]:
        """The exercise's checks, in suite order (the suite is imported once)."""
        if exercise not in self._suites:
            self._suites[exercise] = suites.load_suite(suites.suite_path(self.root, exercise))
        return self._suites[exercise]

    def select(self, exercise: str, name: str | None = None) -> list[Run]:
        """(check, device) pairs to grade; `name` picks one check by name (`clip` or `clip[cuda]`)."""
        runs = [(check, device) for check in self.checks(exercise) for device in check.devices]
        if name is None:
            return runs
        chosen = [(c, d) for c, d in runs if name in (c.name, result_name(c, d))]
        if not chosen:
            known = ", ".join(dict.fromkeys(c.name for c, _ in runs))
            raise KeyError(f"{exercise} has no check named {name!r}; its checks: {known}")
        return chosen

    def prepare(self, exercise: str) -> None:
        """Compute the exercise's reference observations now: its next grading is the learner's side only."""
        self._references(self.select(exercise))

    def grade(self, exercises: Sequence[str], only: str | None = None) -> Submission:
        """Grade whole exercises (or, with `only`, one check of a single exercise)."""
        started = time.monotonic()
        runs = [run for exercise in exercises for run in self.select(exercise, only)]
        with _interrupt_after():
            checks = self._grade_shared(runs)
        target = self.target
        paths = {name: target.module_path(name) for name in exercises}
        files = [GradedFile(name, str(path), sha256_of(path)) for name, path in paths.items()]
        return Submission(
            target.label, checks, files, environment(), time.monotonic() - started, hints=progress.load(self.root).hints
        )

    def _references(self, runs: list[Run]) -> None:
        for check, device in runs:
            if _runnable(device):
                self.grader.references.outcome(check, self.grader.seed(check))

    def _grade_shared(self, runs: list[Run]) -> list[CheckResult]:
        """Grade in `jobs` interleaved shares: this process takes the first, forked workers the others.

        The references are computed here first, so the workers share them (and a
        warm session keeps them). A worker is a fork of this trusted process that
        never loads learner code itself (that runs in its children); it sends its
        results back as JSON.
        """
        _reap_exited()
        self._references(runs)
        places = list(range(len(runs)))
        shares = [places[k :: self.jobs] for k in range(min(self.jobs, len(runs)))] or [[]]
        workers = [_Worker.start(self._grade_share, [runs[i] for i in share]) for share in shares[1:]]
        graded = dict(zip(shares[0], self._grade_share([runs[i] for i in shares[0]])))
        for share, worker in zip(shares[1:], workers):
            graded.update(zip(share, worker.collect(self._grade_share)))
        return [graded[i] for i in places]

    def _grade_share(self, runs: list[Run]) -> list[CheckResult]:
        """Grade these runs in order; those of one exercise share a child (`executor.run_batch`)."""
        results: list[CheckResult] = []
        for _, group in itertools.groupby(runs, key=lambda run: run[0].exercise):
            exercise_runs = list(group)
            jobs = [self.grader.job(check, device) for check, device in exercise_runs if _runnable(device)]
            outcomes = iter(executor.run_batch(jobs))
            for check, device in exercise_runs:
                if _runnable(device):
                    results.append(self.grader.judge(check, device, next(outcomes)))
                else:
                    detail = f"needs {device}, and no {device} device is available on this machine"
                    results.append(unscored(check, device, "skipped", detail))
        return results


@dataclass
class _Worker:
    """A forked process grading a share of the checks."""

    pid: int
    fd: int
    runs: list[Run]

    @classmethod
    def start(cls, grade: GradeShare, runs: list[Run]) -> _Worker:
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the worker; never returns
            os.close(read_fd)
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
                data = json.dumps([result.to_dict() for result in grade(runs)]).encode()
                with os.fdopen(write_fd, "wb") as pipe:
                    pipe.write(data)
                _reap_all()  # after the answer: its children's exits need not delay it
            except BaseException:  # noqa: BLE001 - the parent grades this share itself
                traceback.print_exc()
            finally:
                os._exit(0)
        os.close(write_fd)
        return cls(pid, read_fd, runs)

    def collect(self, grade: GradeShare) -> list[CheckResult]:
        """The worker's results; if it failed, its share is graded here instead."""
        with os.fdopen(self.fd, "rb") as pipe:
            data = pipe.read()
        _exited.append(self.pid)  # reaped later: its exit need not delay the verdict
        try:
            return [CheckResult.from_dict(result) for result in json.loads(data)]
        except (ValueError, TypeError, KeyError):
            return grade(self.runs)


_exited: list[int] = []  # workers that answered and are exiting


def _reap_exited() -> None:
    for pid in list(_exited):
        with contextlib.suppress(ChildProcessError):
            if not os.waitpid(pid, os.WNOHANG)[0]:
                continue
        _exited.remove(pid)


def _reap_all() -> None:
    """Wait for every child of this process: the checks' children, all killed already."""
    with contextlib.suppress(ChildProcessError):
        while True:
            os.waitpid(-1, 0)


def _import_before_forking() -> None:
    """Import here what learner code would otherwise import in the children of every save.

    torch.optim imports torch._dynamo on first use (about as long as torch itself).
    With solutions, the reference run imports it in this process and the children
    inherit it. With goldens no reference code runs here: a one-off `run` leaves
    it to the children (at most once per core's share, and not at all for a stub),
    but a watch session would pay it on every save.
    """
    import torch._dynamo  # noqa: F401


def _runnable(device: str) -> bool:
    return device == "cpu" or devices.available(device)


@contextlib.contextmanager
def _interrupt_after() -> Iterator[None]:
    """Ctrl-C during grading takes effect when the running checks end.

    Interrupting in the middle of `executor.run` would leave the child that runs
    the learner's code (perhaps an endless loop) unsupervised. Checks end within
    their time limits, so the wait is bounded. The workers ignore Ctrl-C.
    """
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt
