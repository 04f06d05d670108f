"""The plan: which runs to make (checks × devices), and for the others, why not.

The one skip policy, as pytest's `skipping.evaluate_skip_marks` decides once: every
door (pytest, `run`/`watch`, notebooks, class grading, variants) plans through
`plan`, and a run that is not made gets its status and message here, one message
per reason. `grader.core.scoring` decides the status of the runs that are made.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from grader.core.checks import Check
from grader.core.results import Status


class GpuPolicy(StrEnum):
    AUTO = "auto"  # skip runs on a device this machine lacks, saying why
    REQUIRE = "require"  # a missing device is an error (GPU CI)


@dataclass(frozen=True)
class NotRun:
    status: Status
    message: str


ANOTHER_LANE = "graded in another lane"  # how a lane's result says a run is another lane's to make


@dataclass(frozen=True)
class Planned:
    """One run of a check on a device; `not_run` says why it will not be made (None: it will)."""

    check: Check
    device: str
    not_run: NotRun | None = None


def evaluate(
    check: Check,
    device: str,
    unusable: Callable[[str], str],
    gpu: GpuPolicy = GpuPolicy.AUTO,
    problems: Mapping[str, str] | None = None,
    lane: Collection[str] = (),
) -> NotRun | None:
    """Why this run is not made here, or None.

    `unusable(device)` is the executor's reason a device cannot be used ("" when it can);
    `problems` maps an exercise to why its file could not be graded at all (refused by staging);
    `lane`, when given, the only devices graded here: another lane grades the others (`class --devices`).
    """
    if problems and check.exercise in problems and not (lane and device not in lane):
        return NotRun(Status.ERROR, problems[check.exercise])
    reason = unusable(device) if device != "cpu" else ""
    if lane and device not in lane:  # a device no lane grades keeps the reason it cannot be used here
        return NotRun(Status.SKIPPED, reason or f"{ANOTHER_LANE}: this one grades {', '.join(lane)} only (class --devices)")
    if not reason:
        return None
    if gpu is GpuPolicy.REQUIRE:
        return NotRun(Status.ERROR, f"{reason} (--gpu=require)")
    return NotRun(Status.SKIPPED, reason)


def plan(
    checks: Iterable[Check],
    unusable: Callable[[str], str],
    gpu: GpuPolicy = GpuPolicy.AUTO,
    problems: Mapping[str, str] | None = None,
    devices: Collection[str] | None = None,
    lane: Collection[str] = (),
) -> list[Planned]:
    """Every run of `checks` (on `devices` only, when given), each with its verdict if it is not made.

    Runs outside a `lane` stay in the plan, skipped, so that every lane's results list the same
    runs in the same order, and a merge puts each lane's runs in their places.
    """
    return [
        Planned(check, device, evaluate(check, device, unusable, gpu, problems, lane))
        for check in checks
        for device in check.devices
        if devices is None or device in devices
    ]
