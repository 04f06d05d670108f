"""Grading one check: reference side (trusted, in this process) and learner side (a child).

`References` imports the reference solutions in the parent, under private module
names, and computes each check's observations once per seed. `Grader` pairs them
with the learner's run and scores the result.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import torch

from grader import determinism, executor
from grader.checks import Check
from grader.executor import ErrorInfo, ProbeJob, ProbeOutcome
from grader.observations import decode, encode, normalise
from grader.results import CheckResult
from grader.scoring import judge

REFERENCE_PACKAGE = "torchdrill_reference"


@dataclass(frozen=True)
class Target:
    """The implementation under test: a folder holding `exNN_topic.py` files."""

    label: str
    folder: Path

    def module_path(self, exercise: str) -> Path:
        return self.folder / f"{exercise}.py"


def resolve_target(spec: str, root: Path) -> Target:
    """`exercises`, `solutions`, or a path to a folder of learner modules."""
    if spec in ("exercises", "solutions"):
        return Target(spec, root / spec)
    folder = Path(spec).expanduser()
    if not folder.is_absolute():
        folder = (Path.cwd() / folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"--target {spec}: no such folder")
    return Target(str(folder), folder)


class References:
    """Reference observations from the solutions, computed in the trusted parent."""

    def __init__(self, solutions: Path) -> None:
        self.solutions = solutions
        self._modules: dict[str, ModuleType] = {}
        self._cache: dict[tuple[str, int], ProbeOutcome] = {}

    def module(self, exercise: str) -> ModuleType:
        if exercise not in self._modules:
            name = f"{REFERENCE_PACKAGE}.{exercise}"
            spec = importlib.util.spec_from_file_location(name, self.solutions / f"{exercise}.py")
            if spec is None or spec.loader is None:
                raise FileNotFoundError(f"no reference solution for {exercise} in {self.solutions}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
            self._modules[exercise] = module
        return self._modules[exercise]

    def outcome(self, check: Check, seed: int) -> ProbeOutcome:
        key = (check.key, seed)
        if key not in self._cache:
            self._cache[key] = self._run(check, seed)
        return self._cache[key]

    def _run(self, check: Check, seed: int) -> ProbeOutcome:
        module = self.module(check.exercise)
        kwargs = {"device": torch.device("cpu")} if check.takes_device else {}
        determinism.prepare(seed)
        try:
            result = check.probe(module, **kwargs)
        except Exception as error:  # noqa: BLE001 - a reference may raise on purpose
            return ProbeOutcome("raised", error=ErrorInfo(type(error).__name__, str(error)))
        # Round-trip through the wire format, so both sides hold the same kinds of values.
        _, observations = decode(encode({}, normalise(result)))
        return ProbeOutcome("observations", observations)


class ReferenceSource(Protocol):
    """Where reference outcomes come from: `References` (the solutions) or `grader.goldens.GoldenReferences`."""

    def outcome(self, check: Check, seed: int) -> ProbeOutcome: ...


class Grader:
    """Grades checks of one target against the references."""

    def __init__(
        self,
        target: Target,
        references: ReferenceSource,
        timeout: float | None = None,
        salt: str = "",
        run: Callable[[ProbeJob], ProbeOutcome] = executor.run,
    ) -> None:
        self.target = target
        self.references = references
        self.timeout = timeout
        self.salt = salt
        self.run = run  # the local executor, or a sandboxed worker's client

    def seed(self, check: Check) -> int:
        """Visible checks: fixed per check. Hidden ones also depend on the salt."""
        return determinism.derive_seed(self.salt, check.key) if check.hidden else determinism.derive_seed(check.key)

    def grade(self, check: Check, device: str = "cpu") -> CheckResult:
        # The reference first: the learner's child then inherits what it imported (torch.optim
        # loads torch._dynamo on first use, about as long as torch itself).
        reference = self.references.outcome(check, self.seed(check))
        return judge(check, device, reference, self.run(self.job(check, device)))

    def job(self, check: Check, device: str = "cpu") -> ProbeJob:
        """What to run on the learner's code for this check (`grade` runs it; the class grader batches them)."""
        kwargs: dict[str, Any] = {"device": torch.device(device)} if check.takes_device else {}
        return ProbeJob(
            name=check.exercise,
            path=self.target.module_path(check.exercise),
            probe=check.probe,
            kwargs=kwargs,
            seed=self.seed(check),
            timeout=self.timeout if self.timeout is not None else check.timeout,
            forbid=check.forbid,
            check=check.key,
        )

    def judge(self, check: Check, device: str, outcome: ProbeOutcome) -> CheckResult:
        """The learner's outcome for this check, compared with the reference's."""
        return judge(check, device, self.references.outcome(check, self.seed(check)), outcome)
