"""A check over several functions, one of them still a stub: what the others give (the child side).

A probe stops at the first stub it calls, so without this a wrong function reads "not started"
for as long as another function of the same check is a stub. When a probe raises the stub's
NotImplementedError and uses other functions of the module (`grader.core.attribution`), it is run
again with each pending stub replaced by a stand-in that returns a `Pending` value. What comes
back is sent with the names replaced; the judge (`grader.core.scoring`) compares only the
observations that depend on none of them, and says which function each difference belongs to.

A run with stand-ins that raises anything is given up: the verdict stays "not started". So is
one where the learner's own code calls a stand-in (`StubReached`): what it makes from it is not
theirs to be judged on yet.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from types import FunctionType, ModuleType
from typing import Any

from grader.core.attribution import used_by
from grader.core.checks import Check

MAX_PENDING = 8  # stubs replaced in one check before giving up


class Pending:
    """What a pending stub's stand-in returns: never equal to a reference's value."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name} is still a stub>"


class StubReached(RuntimeError):
    """A stand-in called by the learner's own code: what calls it cannot be judged yet."""


def stand_in(name: str, learner_file: str) -> Callable[..., Pending]:
    """The stand-in for stub `name`: a `Pending` for the suite's calls. Called from the learner's
    file (their `f` calls the stub `g`), it stops the run: `f`'s result, made from a stand-in,
    would read as a wrong `f`."""

    def pending(*_args: Any, **_kwargs: Any) -> Pending:
        if sys._getframe(1).f_code.co_filename == learner_file:
            raise StubReached(name)
        return Pending(name)

    return pending


def replaceable(module: ModuleType, function: str, pending: list[str], probe: Callable[..., Any]) -> bool:
    """Whether the stub `function` (whose NotImplementedError the probe raised) may be stood in for:
    a top-level function of the module, and the probe uses some other function still to be run."""
    if "." in function or function in pending or len(pending) >= MAX_PENDING:
        return False
    if type(getattr(module, function, None)) is not FunctionType:
        return False
    used = used_by(probe)
    return used is not None and bool(used - {function, *pending})


def warm(checks: Iterable[Check]) -> None:
    """Read, once, what each probe uses, in a process whose children will ask (`replaceable`): a
    class worker's zygote forks a child per exercise and learner, and every stub's child asks."""
    for check in checks:
        used_by(check.probe)


def stand_in_for(module: ModuleType, pending: list[str]) -> None:
    for name in pending:
        setattr(module, name, stand_in(name, str(getattr(module, "__file__", ""))))
