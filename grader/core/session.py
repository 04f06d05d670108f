"""A grading session: planned runs -> executor -> judged results -> a `Submission`.

Every door grades through one `Session`: the pytest plugin (one item at a time),
the learner loop, notebooks, class grading (one session per learner, with its
own salt and deadline) and variants. A session

1. hands plain requests to its executor (`grader.run.executor`) and gets outcomes;
2. computes, in this trusted process, the reference outcome of each run whose
   verdict needs one (not a stub's, a crash's or a timeout's);
3. judges each run against its reference (`grader.core.scoring`).

Hidden checks are seeded by the salt (per learner in a class), visible ones by
their key alone, so goldens can record them once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from grader.core import cellmap, determinism
from grader.core.checks import Check
from grader.core.course import Course
from grader.core.plan import Planned
from grader.core.references import ReferenceSource
from grader.core.results import CheckResult, GradedFile, Status, Submission, environment, sha256_of
from grader.core.scoring import judge, needs_reference, unscored
from grader.core.wire import ProbeOutcome, ProbeRequest

OUT_OF_TIME = "the time allowed for this whole submission ran out"


class Executor(Protocol):  # grader.run.executor: the implementations
    def unusable(self, device: str) -> str: ...

    def run_many(self, requests: Sequence[ProbeRequest], deadline: float | None = None) -> list[ProbeOutcome | None]: ...


@dataclass(frozen=True)
class Staged:
    """An exercise graded from a module made of another file: a notebook's tagged cells."""

    module: Path  # the module that is graded
    source: Path  # the file the learner works in, which the results name


@dataclass(frozen=True)
class Target:
    """The implementation under test: a folder holding `exNN_topic.py` files (some may be `staged` elsewhere)."""

    label: str
    folder: Path
    staged: Mapping[str, Staged] = field(default_factory=dict, hash=False)

    def module_path(self, exercise: str) -> Path:
        staged = self.staged.get(exercise)
        return staged.module if staged is not None else self.folder / f"{exercise}.py"

    def source_path(self, exercise: str) -> Path:
        """The file the learner edited: the module itself, or the notebook it was made from."""
        staged = self.staged.get(exercise)
        return staged.source if staged is not None else self.module_path(exercise)


def resolve_target(spec: str, course: Course) -> Target:
    """`exercises`, `solutions`, or a path to a folder of learner modules."""
    if spec == "exercises":
        return Target(spec, course.exercises)
    if spec == "solutions":
        return Target(spec, course.solutions)
    folder = Path(spec).expanduser()
    if not folder.is_absolute():
        folder = (Path.cwd() / folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"--target {spec}: no such folder")
    return Target(str(folder), folder)


def seed_of(check: Check, salt: str = "") -> int:
    """Visible checks: fixed per check (goldens record them once). Hidden ones also depend on the salt."""
    return determinism.derive_seed(salt, check.key) if check.hidden else determinism.derive_seed(check.key)


class Session:
    """Grades planned runs of one target against the references, through one executor."""

    def __init__(
        self,
        target: Target,
        references: ReferenceSource,
        executor: Executor,
        salt: str = "",
        timeout: float | None = None,
    ) -> None:
        self.target = target
        self.references = references
        self.executor = executor
        self.salt = salt
        self.timeout = timeout  # overrides every check's own limit

    def seed(self, check: Check) -> int:
        return seed_of(check, self.salt)

    def request(self, check: Check, device: str) -> ProbeRequest:
        timeout = self.timeout if self.timeout is not None else check.timeout
        path = str(self.target.module_path(check.exercise))
        return ProbeRequest(check.key, path, device, self.seed(check), timeout, check.max_bytes)

    def reference(self, check: Check) -> ProbeOutcome:
        return self.references.outcome(check, self.seed(check))

    def prepare(self, planned: Iterable[Planned]) -> None:
        """Compute the references of these runs now: their next grading is the learner's side only."""
        for run in planned:
            if run.not_run is None:
                self.reference(run.check)

    def grade(self, planned: Sequence[Planned], deadline: float | None = None) -> list[CheckResult]:
        """One result per planned run, in order; learner behaviour never raises out of here.

        The learner's side runs first; a reference is computed only where the verdict
        needs it (not for a stub, a crash or a timeout), once per check and seed.
        """
        results: dict[int, CheckResult] = {}
        runnable = []
        for index, run in enumerate(planned):
            if run.not_run is None:
                runnable.append(index)
            else:
                results[index] = unscored(run.check, run.device, run.not_run.status, run.not_run.message)
        for exercise in dict.fromkeys(planned[i].check.exercise for i in runnable):
            self.references.warm(exercise)
        requests = [self.request(planned[i].check, planned[i].device) for i in runnable]
        for index, outcome in zip(runnable, self.executor.run_many(requests, deadline), strict=True):
            results[index] = self._judge(planned[index], outcome)
        return [results[index] for index in range(len(planned))]

    def _judge(self, run: Planned, outcome: ProbeOutcome | None) -> CheckResult:
        if outcome is None:
            return unscored(run.check, run.device, Status.TIMEOUT, OUT_OF_TIME)
        outcome = cellmap.relocate(outcome, self.target.module_path(run.check.exercise))  # a notebook's cells
        try:
            reference = self.reference(run.check) if needs_reference(outcome) else None
        except Exception as error:  # noqa: BLE001 - that check cannot be graded; the others can
            message = f"the reference outcome of this check could not be computed ({type(error).__name__}: {error})"
            return unscored(run.check, run.device, Status.ERROR, message)
        try:
            return judge(run.check, run.device, reference, outcome)
        except Exception as error:  # noqa: BLE001 - containment: a result that cannot be judged is this check's
            message = (
                f"your result could not be judged ({type(error).__name__}): return the values the check asks for, "
                "as plain tensors, numbers, strings or lists of them"
            )
            return unscored(run.check, run.device, Status.CRASHED, message)

    def submission(self, results: list[CheckResult], started: float, exercises: Iterable[str] | None = None, **fields: Any) -> Submission:
        """The results with the graded files (their hashes) and the environment."""
        names = list(dict.fromkeys(exercises if exercises is not None else (r.exercise for r in results)))
        files = [GradedFile(name, str(path), sha256_of(path)) for name in names for path in [self.target.source_path(name)]]
        return Submission(
            self.target.label, results, files, environment(), time.monotonic() - started, **fields
        )
