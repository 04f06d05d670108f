"""Graded suites: `tests/test_<exercise>.py` files that declare `@check`s, and the registry of checks.

pytest collects suites through the plugin; every other door loads them here. A
`Registry` maps check keys to checks: a probe request names its check by key,
and each side of a run (the trusted parent, a sandboxed worker) finds the probe
in its own registry, so no callable ever travels in a request.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from grader.core.checks import Check
from grader.core.course import exercise_of


def bind(declared: Check, suite: Path) -> Check:
    """The check as declared, tied to the exercise its suite grades."""
    return dataclasses.replace(declared, exercise=exercise_of(suite))


def load_suite(suite: Path) -> list[Check]:
    """The checks a suite declares, in file order."""
    name = f"torchdrill_suite.{suite.stem}"
    spec = importlib.util.spec_from_file_location(name, suite)
    if spec is None or spec.loader is None or not suite.is_file():
        raise FileNotFoundError(f"no graded suite at {suite}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return [bind(value, suite) for value in vars(module).values() if isinstance(value, Check)]


class Registry:
    """Checks by key (`ex02_autograd::name`), in the order they were added."""

    def __init__(self, checks: Iterable[Check] = ()) -> None:
        self._checks: dict[str, Check] = {}
        self.add(checks)

    @classmethod
    def from_suites(cls, suites: Iterable[Path]) -> Registry:
        return cls(check for suite in suites for check in load_suite(suite))

    def add(self, checks: Iterable[Check]) -> None:
        for check in checks:
            self._checks[check.key] = check

    def __getitem__(self, key: str) -> Check:
        return self._checks[key]

    def __contains__(self, key: object) -> bool:
        return key in self._checks

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def of(self, exercise: str) -> list[Check]:
        return [check for check in self._checks.values() if check.exercise == exercise]
