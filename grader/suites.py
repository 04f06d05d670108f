"""Graded suites: `tests/test_<exercise>.py` files that declare `@check`s.

pytest collects them through the plugin; tools that grade without pytest (the
curriculum self-tests, the variants runner) load them here.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

from grader.checks import Check

SUITE_PREFIX = "test_"


def exercise_of(suite: Path) -> str:
    """`tests/test_ex02_autograd.py` grades `ex02_autograd`."""
    return suite.stem.removeprefix(SUITE_PREFIX)


def suite_path(root: Path, exercise: str) -> Path:
    return root / "tests" / f"{SUITE_PREFIX}{exercise}.py"


def bind(declared: Check, suite: Path) -> Check:
    """The check as declared, tied to the exercise its suite grades."""
    return dataclasses.replace(declared, exercise=exercise_of(suite))


def load_suite(suite: Path) -> list[Check]:
    """The checks a suite declares, in file order."""
    name = f"torchdrill_suite.{suite.stem}"
    spec = importlib.util.spec_from_file_location(name, suite)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no graded suite at {suite}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return [bind(value, suite) for value in vars(module).values() if isinstance(value, Check)]
