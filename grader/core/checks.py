"""The `@check` declaration: a probe plus how it is scored.

A probe is a function that takes an implementation module (the learner's or the
reference) and returns observations. The harness runs it on both sides with the
same seed and compares what comes back; the probe itself never asserts.

    @check(points=2)
    def square_grad_at_arange(ex):
        x = torch.arange(4.0, requires_grad=True)
        return {"grad": ex.double_square_grad(x)}

A probe that takes a `device` argument is run once per entry of `devices`; the
variants other than "cpu" are marked `gpu`.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

from grader.core.wire import FRAME_LIMIT

Probe = Callable[..., Any]

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Check:
    """One graded probe, as declared in a suite under tests/."""

    probe: Probe
    name: str
    points: float = 1.0
    hidden: bool = False
    rtol: float | None = None
    atol: float | None = None
    timeout: float = DEFAULT_TIMEOUT
    devices: tuple[str, ...] = ("cpu",)
    forbid: tuple[str, ...] = ()
    max_bytes: int = FRAME_LIMIT  # of a result: a learner's process cannot send the grader more
    device_tolerances: tuple[tuple[str, float, float], ...] = ()  # (device, rtol, atol): where it differs from the reference's
    exercise: str = field(default="", compare=False)

    @property
    def takes_device(self) -> bool:
        return "device" in inspect.signature(self.probe).parameters

    def tolerance_on(self, device: str) -> tuple[float | None, float | None]:
        """(rtol, atol) for a run on `device`: its own widened ones, else the check's (None: per dtype)."""
        for name, rtol, atol in self.device_tolerances:
            if name == device:
                return rtol, atol
        return self.rtol, self.atol

    @property
    def key(self) -> str:
        """Stable identifier of the check, whatever the device: `ex02_autograd::name`."""
        return f"{self.exercise}::{self.name}"

    def run_name(self, device: str = "cpu") -> str:
        """The name of one run, with its device where there are several (as pytest names it): `name[cuda]`."""
        return f"{self.name}[{device}]" if len(self.devices) > 1 else self.name


def check(
    points: float = 1.0,
    *,
    hidden: bool = False,
    rtol: float | None = None,
    atol: float | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    devices: tuple[str, ...] = ("cpu",),
    forbid: tuple[str, ...] = (),
    max_bytes: int = FRAME_LIMIT,
    device_tolerances: dict[str, tuple[float, float]] | None = None,
) -> Callable[[Probe], Check]:
    """Declare a probe as a graded check.

    `rtol`/`atol` replace the per-dtype defaults for floating-point values (give
    both, as with `torch.testing.assert_close`). `hidden` checks never show the
    expected values in their messages. `timeout` is in seconds of wall time.
    `forbid` names torch callables (`"torch.nn.functional.cross_entropy"`) that
    the learner's file may not call during this check (see `grader.run.forbidden`).
    """
    if (rtol is None) != (atol is None):
        raise TypeError("give both rtol and atol, or neither")
    if points < 0:
        raise ValueError("points must be >= 0")

    def decorate(probe: Probe) -> Check:
        declared = Check(
            probe=probe,
            name=probe.__name__,
            points=float(points),
            hidden=hidden,
            rtol=rtol,
            atol=atol,
            timeout=float(timeout),
            devices=tuple(devices),
            forbid=tuple(forbid),
            max_bytes=int(max_bytes),
            device_tolerances=tuple((d, float(r), float(a)) for d, (r, a) in (device_tolerances or {}).items()),
        )
        if len(declared.devices) > 1 and not declared.takes_device:
            raise TypeError(f"check {probe.__name__} lists devices but its probe takes no `device`")
        return declared

    return decorate
