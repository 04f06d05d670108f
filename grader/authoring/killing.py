"""Grading mutants: does some check of the exercise notice each one?

For each exercise (`grade_exercise`):

1. the mutants of its solution (`grader.authoring.mutants`), or a deterministic
   sample of them;
2. a baseline: the solution itself, graded by the checks those mutants reach
   (`grader.authoring.reach`), on the CPU, through the grading core (a `Session`,
   a `ForkExecutor`, `References` from the solutions). It proves that the checks
   pass on the solution, fills the references (every mutant shares them) and
   times each check: a mutant's check gets `FACTOR` times that time (at least
   `FLOOR` seconds, never more than the check's own limit), so that a mutant that
   loops forever costs seconds, not the check's whole limit;
3. each mutant, written beside a `data` link to the course's data (so a solution
   that finds its data next to its folder still does), graded by the checks that
   reach its function, fastest first: the fastest alone, then the rest in one
   child, and a mutant is *killed* at its first check that does not pass (failed,
   error, timeout, crashed). With `jobs` > 1, shares of the mutants are graded by
   processes forked once the references are computed.

Authors record equivalent mutants (no check could tell them apart from the
solution) beside the variants, in `tests/variants/<exercise>/equivalent_mutants.toml`:

    "ex02_autograd:minimise_product:L188:remove-stmt#0" = "why no check can notice it"

They are left out of the kill rate; a recorded id that no mutant has any more,
or a recorded mutant that some check kills, is reported.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from grader.authoring import reach
from grader.authoring.mutants import Mutant, make_mutants
from grader.core.checks import Check
from grader.core.course import Course
from grader.core.plan import Planned
from grader.core.references import References
from grader.core.results import CheckResult
from grader.core.session import Session, Target
from grader.core.stubs import AuthoringError
from grader.core.suites import Registry, load_suite
from grader.run import fork
from grader.run.executor import ForkExecutor

EQUIVALENTS_FILE = "equivalent_mutants.toml"
THRESHOLD = 0.95  # the kill rate an exercise must reach
FLOOR = 2.0  # seconds: the least time a mutant's check is given
FACTOR = 5.0  # times the check's time on the solution
STAGE = 0.5  # seconds (on the solution) of checks run in one child before looking for a kill


class Fate(StrEnum):
    KILLED = "killed"
    SURVIVED = "survived"
    EQUIVALENT = "equivalent"  # survived, and recorded as equivalent


@dataclass(frozen=True)
class Graded:
    mutant: Mutant
    fate: Fate
    by: str  # killed: the first check that did not pass, and how; equivalent: the recorded reason


@dataclass
class ExerciseReport:
    exercise: str
    graded: list[Graded]
    broken: list[str] = field(default_factory=list)  # checks that do not pass on the solution itself
    problems: list[str] = field(default_factory=list)  # recorded equivalents that are stale or killed
    seconds: float = 0.0

    def count(self, fate: Fate) -> int:
        return sum(g.fate is fate for g in self.graded)

    @property
    def survivors(self) -> list[Graded]:
        return [g for g in self.graded if g.fate is Fate.SURVIVED]

    @property
    def rate(self) -> float:
        """Killed among the mutants not recorded as equivalent (1.0 when there are none)."""
        counted = len(self.graded) - self.count(Fate.EQUIVALENT)
        return self.count(Fate.KILLED) / counted if counted else 1.0

    @property
    def passes(self) -> bool:
        """Kills enough; an exercise whose solution fails its own checks cannot be measured."""
        return self.rate >= THRESHOLD and not self.broken


# --- equivalent mutants, samples -------------------------------------------------------------


def equivalents_file(course: Course, exercise: str) -> Path:
    return course.variants_of(exercise) / EQUIVALENTS_FILE


def read_equivalents(course: Course, exercise: str) -> dict[str, str]:
    """Recorded equivalent mutants: id -> why no check can tell it from the solution."""
    path = equivalents_file(course, exercise)
    if not path.is_file():
        return {}
    try:
        recorded = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise AuthoringError(f"{path}: {error}") from error
    wrong = [key for key, reason in recorded.items() if not isinstance(reason, str) or not reason.strip()]
    if wrong:
        raise AuthoringError(f"{path}: give each mutant id a reason (a string): {', '.join(wrong)}")
    return recorded


def sample(mutants: list[Mutant], size: int) -> list[Mutant]:
    """`size` of them, the same ones on every run (by a hash of their ids), in source order."""
    chosen = set(sorted((m.id for m in mutants), key=lambda i: hashlib.sha256(i.encode()).hexdigest())[:size])
    return [m for m in mutants if m.id in chosen]


# --- grading -----------------------------------------------------------------------------------


class ExerciseGrader:
    """Grades the mutants of one exercise against its solution's references, in `workdir`."""

    def __init__(self, course: Course, exercise: str, references: References, workdir: Path) -> None:
        self.exercise = exercise
        self.references = references
        self.workdir = workdir
        self.solution = course.solution(exercise).read_text()
        self.checks = [c for c in load_suite(course.suite(exercise)) if "cpu" in c.devices]
        self.executor = ForkExecutor(Registry(self.checks))
        self.graph = reach.callers(self.solution)
        self.uses = reach.suite_uses(course.suite(exercise).read_text())
        self.seconds: dict[str, float] = {}  # check name -> its time on the solution
        self.limited: dict[str, Check] = {}  # check name -> the check with a mutant's time limit
        self.broken: list[str] = []
        (workdir / "data").symlink_to(course.data.resolve(), target_is_directory=True)

    def reached(self, mutant: Mutant) -> list[Check]:
        """The checks that can observe this mutant, those that call its function first (then those
        that call a caller of it, then those whose uses cannot be followed), faster ones first."""
        names = reach.reached_from(mutant.owner, self.graph)
        wanted = set(reach.reaching([c.name for c in self.checks], self.uses, names))

        def order(check: Check) -> tuple[int, float]:
            used = self.uses.get(check.name, reach.EVERYTHING)
            tier = 2 if used is reach.EVERYTHING else 0 if mutant.owner in used else 1
            return tier, self.seconds.get(check.name, check.timeout)

        return sorted((c for c in self.checks if c.name in wanted), key=order)

    def baseline(self, mutants: list[Mutant]) -> None:
        """Grade the solution with every check these mutants reach: the references, the limits."""
        reached = {c.name for m in mutants for c in self.reached(m)}
        needed = [c for c in self.checks if c.name in reached]
        results = self._grade("solution", self.solution, needed)
        for check, result in zip(needed, results, strict=True):
            if result.passed:
                self.seconds[check.name] = result.duration
                limit = min(check.timeout, max(FLOOR, FACTOR * result.duration))
                self.limited[check.name] = dataclasses.replace(check, timeout=limit)
            else:
                self.broken.append(f"{check.name} does not pass on the solution ({result.status}): {result.message[:200]}")

    def grade(self, mutant: Mutant, index: int) -> tuple[Fate, str]:
        """Killed (by which check) or survived; checks that fail on the solution are left out."""
        reached = self.reached(mutant)
        checks = [self.limited[c.name] for c in reached if c.name in self.limited]
        if not checks:
            return Fate.SURVIVED, "only checks that fail on the solution reach it" if reached else "no check reaches it"
        source = mutant.source(self.solution)
        for stage in self._stages(checks):
            for result in self._grade(str(index), source, stage):
                if not result.passed:
                    return Fate.KILLED, f"{result.name} ({result.status})"
        return Fate.SURVIVED, ""

    def _stages(self, checks: list[Check]) -> Iterator[list[Check]]:
        """The first check alone (it kills most mutants), then runs of at most STAGE seconds on the
        solution (a slower check alone), each in one child: grading stops after a stage that kills."""
        stage: list[Check] = []
        spent = 0.0
        for check in checks:
            cost = self.seconds[check.name]
            if stage and (stage[0] is checks[0] or spent + cost > STAGE):
                yield stage
                stage, spent = [], 0.0
            stage.append(check)
            spent += cost
        if stage:
            yield stage

    def _grade(self, name: str, source: str, checks: list[Check]) -> list[CheckResult]:
        folder = self.workdir / name
        folder.mkdir()
        try:
            target = Target(name, folder)
            (folder / f"{self.exercise}.py").write_text(source)
            session = Session(target, self.references, self.executor)
            return session.grade([Planned(check, "cpu") for check in checks])
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def grade_exercise(
    course: Course, exercise: str, references: References, workdir: Path, size: int | None = None, jobs: int = 1
) -> ExerciseReport:
    """The report of one exercise: every mutant (or a sample of `size`), graded `jobs` at a time."""
    started = time.monotonic()
    solution = course.solution(exercise)
    every = make_mutants(exercise, solution.read_text(), str(solution.relative_to(course.root)))
    mutants = every if size is None else sample(every, size)
    recorded = read_equivalents(course, exercise)
    grader = ExerciseGrader(course, exercise, references, workdir)
    grader.baseline(mutants)
    fates = _in_shares(grader, mutants, jobs)
    known = {m.id for m in every}
    report = ExerciseReport(exercise, [], grader.broken)
    report.problems += [f"{EQUIVALENTS_FILE}: no mutant {key} any more" for key in recorded if key not in known]
    for mutant, (fate, by) in zip(mutants, fates, strict=True):
        if mutant.id in recorded and fate is Fate.SURVIVED:
            fate, by = Fate.EQUIVALENT, recorded[mutant.id]
        elif mutant.id in recorded:
            report.problems.append(f"{EQUIVALENTS_FILE}: {mutant.id} is recorded as equivalent, but {by} kills it")
        report.graded.append(Graded(mutant, fate, by))
    report.seconds = time.monotonic() - started
    return report


def _in_shares(grader: ExerciseGrader, mutants: list[Mutant], jobs: int) -> list[tuple[Fate, str]]:
    """Each mutant's fate; shares 1.. are graded by forked copies of this process (the references
    are computed already, so they inherit them), share 0 here."""
    places = list(range(len(mutants)))
    shares = [places[k::jobs] for k in range(max(1, min(jobs, len(mutants))))]

    def share(indexes: list[int]) -> list[tuple[Fate, str]]:
        return [grader.grade(mutants[i], i) for i in indexes]

    forked = [fork.call(lambda indexes=indexes: json.dumps(share(indexes)).encode()) for indexes in shares[1:]]
    fates = dict(zip(shares[0], share(shares[0])))
    for indexes, process in zip(shares[1:], forked):
        answer = process.result()
        decoded = [(Fate(f), str(by)) for f, by in json.loads(answer)] if answer is not None else None
        fates.update(zip(indexes, decoded if decoded is not None and len(decoded) == len(indexes) else share(indexes)))
    return [fates[i] for i in places]
