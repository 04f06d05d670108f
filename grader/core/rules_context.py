"""Diagnoses that need a value from outside the result: the probe's context observations.

Each rule reads `start.K`, `previous.K`, `given.K`, `input.K` or `after.K` next to
`K` (the convention is in `grader.core.diagnose`). A mistake visible only against
such a value (a step that never happened, a result that shares memory with its
input) gets no hint where the probe does not record it.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from grader.core.evidence import AFTER, GIVEN, INPUT, PREVIOUS, START, Evidence, Hint, Pair, as_float, both_tensors

# The last step moved `ACCUMULATED_FACTOR` times as far as expected, within this share of the move.
ACCUMULATED_FACTOR, ACCUMULATED_SLACK = 2.0, 0.1


def parameters_not_stepped(ev: Evidence) -> Hint | None:
    """Equal to its value before the step, where the reference moved: the update never happened."""
    before = ev.context(PREVIOUS) or ev.context(START)
    if before is None or not ev.same(before[1], ev.got) or ev.same(before[0], ev.want):
        return None
    return Hint(
        "did not change in the step: is optimizer.step() missing, or run before backward() or right after "
        "zero_grad()? Or was p - lr * g computed but never written back?"
    )


def gradients_accumulated(ev: Evidence) -> Hint | None:
    """The last step moved twice as far as the reference's: it used the previous step's gradient too."""
    before = ev.context(PREVIOUS)
    if before is None:
        return None
    start_e, start_a, want, got = (as_float(v) for v in (*before, ev.want, ev.got))
    if start_e is None or start_a is None or want is None or got is None:
        return None
    if not (start_e.shape == start_a.shape == want.shape == got.shape):
        return None
    moved_e, moved_a = (want - start_e).reshape(-1), (got - start_a).reshape(-1)
    size = float(moved_e.dot(moved_e))
    if size == 0.0 or not (torch.isfinite(moved_e).all() and torch.isfinite(moved_a).all()):
        return None
    k = float(moved_a.dot(moved_e)) / size
    residual = float((moved_a - k * moved_e).norm())
    if abs(k - ACCUMULATED_FACTOR) > ACCUMULATED_SLACK or residual > ACCUMULATED_SLACK * float(moved_a.norm()):
        return None
    return Hint(
        "moved too far in its last step: were the previous step's gradients added in? "
        "Is optimizer.zero_grad() missing?",
        f"{k:.3g} times the expected change",
    )


def function_not_applied(ev: Evidence) -> Hint | None:
    """Equal to the input it was computed from, where the reference's result differs from it."""
    given = ev.context(GIVEN)
    if given is None or ev.key != ev.base or not ev.same(given[1], ev.got) or ev.same(given[0], ev.want):
        return None
    return Hint("equals its input: was the function applied, or the input returned unchanged?")


def _one_side(ev: Evidence, first: Pair | None, second: Pair | None, learner: str, reference: str) -> Hint | None:
    """`learner` when only the learner's two observations differ, `reference` when only the reference's do."""
    if first is None or second is None:
        return None
    reference_differs, learner_differs = not ev.same(first[0], second[0]), not ev.same(first[1], second[1])
    if learner_differs and not reference_differs:
        return Hint(learner, about=ev.base)
    if reference_differs and not learner_differs:
        return Hint(reference, about=ev.base)
    return None


def memory_sharing(ev: Evidence) -> Hint | None:
    """K followed a later change of its input (`after.K`) on one side only: an alias for a copy, or the reverse."""
    return _one_side(
        ev,
        ev.pair(ev.base),
        ev.context(AFTER),
        "changed when its input was changed afterwards: it shares memory with the input. "
        "A view or the tensor itself where a copy was meant (.clone(), copy.deepcopy)?",
        "did not follow its input when the input was changed afterwards: a copy where shared memory was meant "
        "(torch.from_numpy, .view(), .detach() rather than torch.tensor(...), .clone())?",
    )


def changed_in_place(ev: Evidence) -> Hint | None:
    """The input as the call left it (`input.K`) differs from what was passed (`given.K`) on one side only."""
    return _one_side(
        ev,
        ev.context(GIVEN),
        ev.context(INPUT),
        "changed its input in place (+=, x[...] = ..., a method ending in _): work on a copy, or use the "
        "out-of-place form?",
        "left its input as it was, where it should update it in place "
        "(p.add_(...), p.copy_(...), rather than rebinding p = p - ...)?",
    )


def _sum(x: torch.Tensor, dim: int | None) -> torch.Tensor:
    return x.sum() if dim is None else x.sum(dim)


def _mean(x: torch.Tensor, dim: int | None) -> torch.Tensor:
    return x.mean() if dim is None else x.mean(dim)


def _centred(x: torch.Tensor, dim: int | None) -> torch.Tensor:
    return x - (x.mean() if dim is None else x.mean(dim, keepdim=True))


def _share(x: torch.Tensor, dim: int | None) -> torch.Tensor:
    return x / (x.sum() if dim is None else x.sum(dim, keepdim=True))


# Computations that run along a dimension (None: over every element), tried on the input `given.K`.
ALONG: dict[str, Callable[[torch.Tensor, int | None], torch.Tensor]] = {
    "sum": _sum,
    "mean": _mean,
    "max": lambda x, d: x.amax() if d is None else x.amax(d),
    "min": lambda x, d: x.amin() if d is None else x.amin(d),
    "argmax": lambda x, d: x.argmax() if d is None else x.argmax(d),
    "argmin": lambda x, d: x.argmin() if d is None else x.argmin(d),
    "softmax": lambda x, d: x.reshape(-1).softmax(0).reshape(x.shape) if d is None else x.softmax(d),
    "log_softmax": lambda x, d: x.reshape(-1).log_softmax(0).reshape(x.shape) if d is None else x.log_softmax(d),
    "cumsum": lambda x, d: x.reshape(-1).cumsum(0) if d is None else x.cumsum(d),
    "subtracting the mean": _centred,
    "dividing by the sum": _share,
}


def _where(dim: int | None) -> str:
    return "every element" if dim is None else f"dimension {dim}"


def computed_along_another_dim(ev: Evidence) -> Hint | None:
    """Both results are one computation of the input (`given.K`) along a dimension, not the same one."""
    given = ev.context(GIVEN)
    values = both_tensors(ev)
    if given is None or values is None or ev.key != ev.base:
        return None
    x = as_float(given[0])
    if x is None or x.dim() == 0 or not bool(torch.isfinite(x).all()):
        return None
    want, got = (v.data.to(torch.float64) for v in values)
    dims: list[int | None] = [None, *range(x.dim())]
    for name, along in ALONG.items():
        fits_want = [d for d in dims if _fits(ev, along(x, d), want)]
        fits_got = [d for d in dims if _fits(ev, along(x, d), got)]
        if fits_want and fits_got and not set(fits_want) & set(fits_got):
            return Hint(
                "was computed along another dimension than the expected result: a reduction, softmax or "
                "normalisation over the wrong dim= (or over one dimension where every element was meant)?",
                f"the {name} over {_where(fits_got[0])}; {_where(fits_want[0])} was meant",
            )
    return None


def _fits(ev: Evidence, computed: torch.Tensor, result: torch.Tensor) -> bool:
    """The computed values are the result's, up to dimensions of size 1 (keepdim)."""
    if computed.shape != result.shape:
        if computed.squeeze().shape != result.squeeze().shape:
            return False
        computed, result = computed.squeeze(), result.squeeze()
    return ev.close(result, computed.to(torch.float64))
