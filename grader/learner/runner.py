"""Grading without pytest: the fast path of the learner loop (`run`, `list`, `watch`, notebooks).

`python -m grader grade` goes through pytest, which is right for a whole course
(selection, xdist, JUnit) but costs its import and collection on every call. The
learner loop grades one exercise at a time and wants its verdict as soon as
torch is imported, so it loads the graded suites directly and grades through
the same `Session` as the plugin: reference in this process (from the
solutions, or from goldens in a student release), learner code in forked
children, shared between this process and forked copies of it, one per CPU
(`ParallelExecutor`). A `Runner` stays warm: `watch` keeps one and re-grades
with suites and reference observations cached.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import threading
import time
from collections.abc import Iterator, Mapping, Sequence

from grader.core import determinism, state
from grader.core.course import Course
from grader.core.plan import Planned, plan
from grader.core.references import ReferenceSource, reference_source
from grader.core.session import Session, Staged, Target
from grader.core.suites import Registry, load_suite
from grader.core.results import Submission
from grader.run import starting
from grader.run.executor import ForkExecutor, ParallelExecutor


class Runner:
    """A warm grading session for one target folder (suites and references cached)."""

    def __init__(
        self,
        course: Course,
        target: Target,
        jobs: int | None = None,
        references: ReferenceSource | None = None,
    ) -> None:
        determinism.configure_process()
        self.course = course
        self.registry = Registry()
        jobs = jobs or starting.cores()
        executor = ParallelExecutor(ForkExecutor(self.registry), jobs)
        self.session = Session(target, references or reference_source(course), executor)
        self._loaded: set[str] = set()

    @property
    def target(self) -> Target:
        return self.session.target

    def checks(self, exercise: str) -> list:
        """The exercise's checks, in suite order (the suite is imported once)."""
        if exercise not in self._loaded:
            self.registry.add(load_suite(self.course.suite(exercise)))
            self._loaded.add(exercise)
        return self.registry.of(exercise)

    def use(self, staged: Mapping[str, Staged]) -> None:
        """Grade these exercises from their staged modules (notebooks), the others from the target's folder."""
        self.session.target = dataclasses.replace(self.session.target, staged=dict(staged))

    def select(self, exercise: str, name: str | None = None) -> list[Planned]:
        """The runs to grade; `name` picks a check by name (`clip`, `clip[cuda]`), or every check
        whose name starts with it (`clipping`: both clipping checks), as exercises are picked by prefix."""
        runs = plan(self.checks(exercise), self.session.executor.unusable)
        if name is None:
            return runs
        exact = [r for r in runs if name in (r.check.name, r.check.run_name(r.device))]
        chosen = exact or [r for r in runs if r.check.name.startswith(name)]
        if not chosen:
            known = ", ".join(dict.fromkeys(r.check.name for r in runs))
            raise KeyError(f"{exercise} has no check named {name!r} or starting with it; its checks: {known}")
        return chosen

    def prepare(self, exercise: str) -> None:
        """Compute the exercise's reference observations now: its next grading is the learner's side only."""
        self.session.prepare(self.select(exercise))

    def grade(self, exercises: Sequence[str], only: str | None = None) -> Submission:
        """Grade whole exercises (or, with `only`, the checks of a single exercise that it names: `select`)."""
        started = time.monotonic()
        runs = [run for exercise in exercises for run in self.select(exercise, only)]
        with _interrupt_after():
            results = self.session.grade(runs)
        return self.session.submission(results, started, exercises, hints=state.load(self.course).hints)


@contextlib.contextmanager
def _interrupt_after() -> Iterator[None]:
    """Ctrl-C during grading takes effect when the running checks end.

    Interrupting while a child runs the learner's code (perhaps an endless loop)
    would leave it unsupervised. Checks end within their time limits, so the wait
    is bounded. The forked shares ignore Ctrl-C (they are in this process group).
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
