"""Reference outcomes: what the reference solution observes, for each check and seed.

Two sources, one interface (`ReferenceSource.outcome(check, seed)`):

- `References` imports the solutions in this trusted process, under private
  module names, and runs each probe once per seed;
- `GoldenReferences` reads the outcomes recorded in goldens/ (the student release,
  which has no solutions; `grader.authoring.goldens` records them). Goldens hold the
  visible checks only: their seed depends on the check alone.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Protocol

import torch
from safetensors.torch import load as load_tensors

from grader.core import determinism
from grader.core.checks import Check
from grader.core.course import Course
from grader.core.observations import normalise
from grader.core.wire import ErrorInfo, OutcomeKind, ProbeOutcome, decode, encode, join

REFERENCE_PACKAGE = "torchdrill_reference"
GOLDEN_FORMAT = 1


class ReferenceChoice(StrEnum):
    AUTO = "auto"  # the solutions where they exist, else the goldens
    SOLUTIONS = "solutions"
    GOLDENS = "goldens"


class ReferenceSource(Protocol):
    def outcome(self, check: Check, seed: int) -> ProbeOutcome: ...

    def warm(self, exercise: str) -> None:
        """Before the learner's children of this exercise fork: what they will import, imported once here."""


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

    def warm(self, exercise: str) -> None:
        """Import the solution module (not run a probe): the learner's module imports the same
        libraries (torch.distributed, tensorboard, ...), and its children then inherit them."""
        try:
            self.module(exercise)
        except Exception:  # noqa: BLE001 - a reference that does not import fails its checks, not this
            pass

    def outcome(self, check: Check, seed: int) -> ProbeOutcome:
        key = (check.key, seed)
        if key not in self._cache:
            self._cache[key] = self._run(check, seed)
        return self._cache[key]

    def _run(self, check: Check, seed: int) -> ProbeOutcome:
        module = self.module(check.exercise)
        determinism.prepare(seed)
        try:
            result = check.probe(module, device=torch.device("cpu")) if check.takes_device else check.probe(module)
        except Exception as error:  # noqa: BLE001 - a reference may raise on purpose
            return ProbeOutcome(OutcomeKind.RAISED, error=ErrorInfo(type(error).__name__, str(error)))
        # Round-trip through the wire format, so both sides hold the same kinds of values.
        _, observations = decode(encode({}, normalise(result)))
        return ProbeOutcome(OutcomeKind.OBSERVATIONS, observations)


class GoldenError(LookupError):
    """A check the goldens cannot answer: hidden, unknown, or recorded with another seed."""


class GoldenReferences:
    """Reference outcomes read from goldens/, for a course without solutions/ (the student release)."""

    def __init__(self, course: Course, folder: Path | None = None) -> None:
        self.course = course
        self.folder = folder or course.goldens
        self._outcomes: dict[str, dict[str, tuple[int, ProbeOutcome]]] = {}

    def warm(self, exercise: str) -> None:
        determinism.prepare(0)  # the first `prepare` of a process loads lazily: paid here, once

    def outcome(self, check: Check, seed: int) -> ProbeOutcome:
        recorded = self._load(check.exercise).get(check.name)
        if recorded is None:
            what = "a hidden check" if check.hidden else "not recorded"
            raise GoldenError(f"no golden for {check.key} ({what}): goldens hold the visible checks only")
        recorded_seed, outcome = recorded
        if seed != recorded_seed:
            raise GoldenError(f"{check.key}: goldens were recorded with seed {recorded_seed}, not {seed}")
        # As `References` does before each reference run. It matters for speed: the first `prepare`
        # in a process costs seconds (torch's deterministic-algorithms switch loads lazily), and the
        # learner's child is forked from this process right after, so it must be paid here, once.
        determinism.prepare(seed)
        return outcome

    def _load(self, exercise: str) -> dict[str, tuple[int, ProbeOutcome]]:
        if exercise not in self._outcomes:
            json_path, tensors_path = self.course.golden_files(exercise, self.folder)
            if not json_path.is_file():
                raise GoldenError(f"no goldens for {exercise} in {self.folder}")
            document = json.loads(json_path.read_text())
            if document.get("format") != GOLDEN_FORMAT:
                raise GoldenError(f"{json_path}: golden format {document.get('format')!r}, expected {GOLDEN_FORMAT}")
            tensors = load_tensors(tensors_path.read_bytes())
            self._outcomes[exercise] = {name: _recorded(name, header, tensors) for name, header in document["checks"].items()}
        return self._outcomes[exercise]


def _recorded(name: str, header: dict, tensors: dict[str, torch.Tensor]) -> tuple[int, ProbeOutcome]:
    prefix = f"{name}/"
    own = {key.removeprefix(prefix): value for key, value in tensors.items() if key.startswith(prefix)}
    message, observations = decode(join(header, own))
    error = message.get("error")
    info = ErrorInfo(error["type"], error["message"]) if error else None
    return int(message["seed"]), ProbeOutcome(OutcomeKind(message["kind"]), observations, info)


def reference_source(course: Course, choice: ReferenceChoice | str = ReferenceChoice.AUTO) -> ReferenceSource:
    """`solutions`, `goldens`, or `auto`: the solutions where they exist, else the goldens."""
    choice = ReferenceChoice(choice)
    if choice is ReferenceChoice.GOLDENS or (
        choice is ReferenceChoice.AUTO and not course.has_solutions and course.goldens.is_dir()
    ):
        return GoldenReferences(course)
    return References(course.solutions)
