"""Trusted comparison of two observation dicts.

Each key is checked in a fixed order and stops at the first difference:
missing/extra keys, type, dtype, shape (never broadcast), device, non-finite
values, then values within tolerance. Every difference becomes a `Mismatch` with
a `summary` that is safe to show for hidden checks (no expected values) and a
`detail` that says exactly what differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import torch

from grader.core.observations import Observations, Opaque, Raised, TensorValue, Value

# Those of torch.testing.assert_close; integers and bools compare exactly.
DEFAULT_TOLERANCES: dict[torch.dtype, tuple[float, float]] = {
    torch.float16: (1e-3, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-5),
    torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7),
}


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float
    source: str

    def __str__(self) -> str:
        return f"rtol={self.rtol:g}, atol={self.atol:g} ({self.source})"


@dataclass(frozen=True)
class Tolerances:
    """The per-check override, if any; otherwise the per-dtype defaults."""

    rtol: float | None = None
    atol: float | None = None

    def for_dtype(self, dtype: torch.dtype) -> Tolerance:
        if self.rtol is not None and self.atol is not None:
            return Tolerance(self.rtol, self.atol, "set by the check")
        rtol, atol = DEFAULT_TOLERANCES.get(dtype, (0.0, 0.0))
        name = str(dtype).removeprefix("torch.")
        return Tolerance(rtol, atol, f"{name} default" if dtype in DEFAULT_TOLERANCES else f"{name}: exact")


class MismatchKind(StrEnum):
    """How two observations under one key differ, in the order they are checked."""

    MISSING = "missing"
    UNEXPECTED = "unexpected"
    TYPE = "type"
    EXCEPTION = "exception"
    DTYPE = "dtype"
    SHAPE = "shape"
    DEVICE = "device"
    NONFINITE = "nonfinite"
    VALUES = "values"


@dataclass(frozen=True)
class Mismatch:
    key: str
    kind: MismatchKind
    summary: str
    detail: str = ""
    stats: dict[str, Any] = field(default_factory=dict)

    def message(self, reveal: bool = True) -> str:
        return f"{self.summary}\n{self.detail}".rstrip() if reveal and self.detail else self.summary


def compare(expected: Observations, actual: Observations, tolerances: Tolerances = Tolerances()) -> list[Mismatch]:
    """All differences between the reference's and the learner's observations."""
    raised = _raised_in_place_of_containers(expected, actual)
    covered = {key for key in [*expected, *actual] for root in raised if _inside(key, root)}
    # In the probe's key order, so the key it puts first is the first one a learner reads.
    mismatches = list(raised.values())
    for key, want in expected.items():
        if key in covered:
            continue
        if key not in actual:
            mismatches.append(Mismatch(key, MismatchKind.MISSING, f"{key!r}: missing from the result"))
            continue
        found = compare_value(key, want, actual[key], tolerances)
        if found is not None:
            mismatches.append(found)
    mismatches += [
        Mismatch(key, MismatchKind.UNEXPECTED, f"{key!r}: not expected in the result")
        for key in actual
        if key not in expected and key not in covered
    ]
    return mismatches


def _inside(key: str, root: str) -> bool:
    return key == root or key.startswith((f"{root}.", f"{root}["))


def _raised_in_place_of_containers(expected: Observations, actual: Observations) -> dict[str, Mismatch]:
    """An exception observed where the other side returned a tuple or dict (flattened to `key[0]`, ...)."""
    found = {}
    for ours, theirs, learner_raised in ((actual, expected, True), (expected, actual, False)):
        for key, value in ours.items():
            if isinstance(value, Raised) and key not in theirs and any(_inside(k, key) for k in theirs):
                if learner_raised:
                    found[key] = Mismatch(key, MismatchKind.EXCEPTION, f"{key!r}: raised {describe(value)}", "expected a value")
                else:
                    found[key] = Mismatch(key, MismatchKind.EXCEPTION, f"{key!r}: expected {value.type} to be raised, got a value")
    return found


# --- one value -----------------------------------------------------------------


def kind_of(value: Value) -> str:
    """The comparable kind of a value: ints and floats are both numbers."""
    if isinstance(value, TensorValue):
        return "torch.Tensor"
    if isinstance(value, Raised):
        return f"raised {value.type}"
    if isinstance(value, Opaque):
        return f"{value.type} (not comparable)"  # never the kind of a value the grader compares
    if type(value) in (int, float):
        return "number"
    return type(value).__name__


def describe(value: Value) -> str:
    if isinstance(value, TensorValue):
        return f"a tensor of shape {list(value.shape)}, {value.dtype}"
    if isinstance(value, Raised):
        return f"{value.type}: {value.message}" if value.message else value.type
    if isinstance(value, Opaque):
        return f"a {value.type}" + (f" ({value.note})" if value.note else "")
    if value is None:
        return "None"
    return f"{type(value).__name__} {value!r}"


def compare_value(key: str, want: Value, got: Value, tolerances: Tolerances) -> Mismatch | None:
    want_kind, got_kind = kind_of(want), kind_of(got)
    if isinstance(want, Raised) or isinstance(got, Raised):
        if want_kind == got_kind:
            return None
        if isinstance(want, Raised):
            return Mismatch(key, MismatchKind.EXCEPTION, f"{key!r}: expected {want.type} to be raised, got {describe(got)}")
        return Mismatch(key, MismatchKind.EXCEPTION, f"{key!r}: raised {describe(got)}", f"expected {describe(want)}")
    if isinstance(want, Opaque):
        raise TypeError(f"reference observation {key!r} is {describe(want)}: probes must return plain data")
    if want_kind != got_kind:
        expected_kind = "number" if want_kind == "number" else describe(want) if want is None else want_kind
        return Mismatch(
            key,
            MismatchKind.TYPE,
            f"{key!r}: expected {expected_kind}, got {describe(got)}",
            stats={"expected_kind": want_kind, "actual_kind": got_kind},
        )
    if isinstance(want, TensorValue) and isinstance(got, TensorValue):
        return _compare_tensors(key, want, got, tolerances)
    if want_kind == "number":
        return _compare_numbers(key, want, got, tolerances)  # type: ignore[arg-type]
    if want != got:
        return Mismatch(key, MismatchKind.VALUES, f"{key!r}: wrong value", f"expected {want!r}, got {got!r}")
    return None


def _compare_numbers(key: str, want: float, got: float, tolerances: Tolerances) -> Mismatch | None:
    if type(want) is int and type(got) is int:
        if want == got:
            return None
        return Mismatch(key, MismatchKind.VALUES, f"{key!r}: wrong value", f"expected {want}, got {got}")
    if want == got:  # what the tensors below would find: no difference (NaN is never equal)
        return None
    as_tensor = lambda v: TensorValue(torch.tensor(float(v), dtype=torch.float64), "cpu")  # noqa: E731
    return _compare_tensors(key, as_tensor(want), as_tensor(got), tolerances, scalar=True)


def _compare_tensors(
    key: str, want: TensorValue, got: TensorValue, tolerances: Tolerances, scalar: bool = False
) -> Mismatch | None:
    if want.dtype != got.dtype:
        return Mismatch(
            key,
            MismatchKind.DTYPE,
            f"{key!r}: dtype {got.dtype}, expected {want.dtype}",
            stats={"expected_dtype": str(want.dtype), "actual_dtype": str(got.dtype)},
        )
    if want.shape != got.shape:
        return Mismatch(
            key,
            MismatchKind.SHAPE,
            f"{key!r}: shape {list(got.shape)}",
            f"expected shape {list(want.shape)} (shapes are never broadcast)",
            stats={"expected_shape": list(want.shape), "actual_shape": list(got.shape)},
        )
    if want.device != got.device:
        return Mismatch(key, MismatchKind.DEVICE, f"{key!r}: on device {got.device}, expected {want.device}")
    if torch.equal(want.data, got.data):  # the common case, answered at once: no NaN, nothing differs
        return None
    tolerance = tolerances.for_dtype(torch.float64 if scalar else want.dtype)
    exact = want.dtype == torch.bool or not (want.dtype.is_floating_point or scalar)
    return _nonfinite(key, want.data, got.data) or _values(key, want.data, got.data, tolerance, exact, scalar)


def _index(flat: int, shape: tuple[int, ...]) -> list[int]:
    return [int(i) for i in torch.unravel_index(torch.tensor(flat), shape)] if shape else []


def _nonfinite(key: str, want: torch.Tensor, got: torch.Tensor) -> Mismatch | None:
    if not want.dtype.is_floating_point:
        return None
    e, a = want.to(torch.float64), got.to(torch.float64)
    both_nan = torch.isnan(e) & torch.isnan(a)
    involved = ~torch.isfinite(e) | ~torch.isfinite(a)
    bad = involved & ~both_nan & (e != a)
    count = int(bad.sum())
    if count == 0:
        return None
    first = int(torch.nonzero(bad.reshape(-1))[0])
    shape = tuple(want.shape)
    got_bad = int((bad & ~torch.isfinite(a)).sum())
    what = "NaN/Inf where finite values were expected" if got_bad else "finite values where NaN/Inf were expected"
    location = f" (first at index {_index(first, shape)})" if shape else ""
    return Mismatch(
        key,
        MismatchKind.NONFINITE,
        f"{key!r}: {count} of {want.numel()} elements are {what}",
        f"first{location}: expected {e.reshape(-1)[first].item():g}, got {a.reshape(-1)[first].item():g}",
        stats={"count": count, "actual_nonfinite": got_bad},
    )


def _values(
    key: str, want: torch.Tensor, got: torch.Tensor, tolerance: Tolerance, exact: bool, scalar: bool
) -> Mismatch | None:
    if exact:
        bad = want != got
    e, a = want.to(torch.float64), got.to(torch.float64)
    finite = torch.isfinite(e) & torch.isfinite(a)
    abs_err = torch.where(finite, (a - e).abs(), torch.zeros_like(e))
    if not exact:
        bad = finite & (abs_err > tolerance.atol + tolerance.rtol * e.abs())
    count = int(bad.sum())
    if count == 0:
        return None
    rel_err = torch.where(e != 0, abs_err / e.abs(), torch.where(abs_err > 0, torch.inf, 0.0))
    worst = int(torch.argmax(torch.where(bad, abs_err, torch.full_like(abs_err, -1.0)).reshape(-1)))
    shape = tuple(want.shape)
    total = want.numel()
    expected_at, actual_at = e.reshape(-1)[worst].item(), a.reshape(-1)[worst].item()
    stats = {
        "count": count,
        "total": total,
        "worst_index": _index(worst, shape),
        "max_abs_error": float(abs_err.max()),
        "max_rel_error": float(rel_err.max()),
    }
    tolerance_line = "exact comparison" if exact else f"tolerance: {tolerance}"
    if scalar or total == 1:
        summary = f"{key!r}: wrong value"
        detail = (
            f"expected {_fmt(expected_at)}, got {_fmt(actual_at)} "
            f"(abs error {stats['max_abs_error']:.3g}, rel error {stats['max_rel_error']:.3g}); {tolerance_line}"
        )
    else:
        summary = f"{key!r}: {count} of {total} elements differ ({100 * count / total:.1f}%)"
        detail = "\n".join(
            [
                f"worst at index {stats['worst_index']}: expected {_fmt(expected_at)}, got {_fmt(actual_at)}",
                f"max abs error {stats['max_abs_error']:.3g}, max rel error {stats['max_rel_error']:.3g}",
                tolerance_line,
            ]
        )
    return Mismatch(key, MismatchKind.VALUES, summary, detail, stats)


def _fmt(number: float) -> str:
    return f"{int(number)}" if float(number).is_integer() and abs(number) < 1e15 else f"{number:.6g}"
