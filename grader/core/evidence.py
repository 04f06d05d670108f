"""What a diagnosis rule sees and what it says: `Evidence` in, a `Hint` out.

A rule (`grader.core.diagnose` lists them) looks at one mismatch with both sides'
observations around it: the key's own values, the probe's context observations
(`start.K`, `previous.K`, `given.K`, `input.K`, `after.K`; see `grader.core.diagnose`),
the sequence a list was flattened from (`lr[0]`, `lr[1]`, ...), and the sizes of the
probe's tensors, which is what a factor or a count has to be explained by.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch

from grader.core.compare import Mismatch, Tolerances, compare_value
from grader.core.observations import Observations, Opaque, Raised, TensorValue, Value

# Context prefixes: a probe records such values under these top-level keys (grader.core.diagnose).
START, PREVIOUS, GIVEN, INPUT, AFTER = "start", "previous", "given", "input", "after"
CONTEXT = (START, PREVIOUS, GIVEN, INPUT, AFTER)
# Distinct values a pattern must hold for before it is more than a coincidence.
MIN_DISTINCT = 3
# A sequence flattened from a list: `lr[3]` is item 3 of `lr`.
ITEM = re.compile(r"^(?P<base>.*)\[(?P<index>\d+)\]$")

Pair = tuple[Value, Value]  # (the reference's, the learner's) values of one key


@dataclass(frozen=True)
class Hint:
    text: str  # the kind of mistake: safe for hidden checks
    specific: str = ""  # numbers from the comparison (factor, dimension): visible checks only
    about: str = ""  # the key the hint names, when not the mismatch's own (a list, the result paired with its context)

    def render(self, key: str, hidden: bool) -> str:
        detail = f" ({self.specific})" if self.specific and not hidden else ""
        return f"{self.about or key!r} {self.text}{detail}"


@dataclass(frozen=True)
class Evidence:
    """What a rule sees: one mismatch, both sides' observations, and the check's tolerances."""

    mismatch: Mismatch
    expected: Observations
    actual: Observations
    tolerances: Tolerances = field(default_factory=Tolerances)

    @property
    def key(self) -> str:
        return self.mismatch.key

    @property
    def want(self) -> Value:
        return self.expected.get(self.key)

    @property
    def got(self) -> Value:
        return self.actual.get(self.key)

    @property
    def base(self) -> str:
        """The key without a context prefix: `after.x` is about `x`."""
        prefix, dot, rest = self.key.partition(".")
        return rest if dot and prefix in CONTEXT else self.key

    def pair(self, key: str) -> Pair | None:
        """The (expected, actual) values of `key`, when both sides recorded it."""
        if key in self.expected and key in self.actual:
            return self.expected[key], self.actual[key]
        return None

    def context(self, prefix: str) -> Pair | None:
        """The (expected, actual) values of `prefix.K` for this mismatch's K, when the probe recorded them."""
        return self.pair(f"{prefix}.{self.base}")

    def same(self, want: Value, got: Value) -> bool:
        """Equal as the comparison would judge them (same kind, dtype, shape, values within tolerance)."""
        if any(isinstance(v, (Opaque, Raised)) for v in (want, got)):
            return False
        return compare_value(self.key, want, got, self.tolerances) is None

    def close(self, want: torch.Tensor, got: torch.Tensor, dtype: torch.dtype | None = None) -> bool:
        """Two float64 tensors of one shape equal within the check's tolerance for `dtype` (the key's own by default)."""
        if want.shape != got.shape:
            return False
        tolerance = self.tolerances.for_dtype(dtype or _dtype(self.want))
        return bool(((want - got).abs() <= tolerance.atol + tolerance.rtol * want.abs()).all())

    def sequence(self) -> tuple[str, torch.Tensor, torch.Tensor] | None:
        """For `P[i]` holding a number: (P, expected items, actual items), when both sides have the same items 0..n-1."""
        match = ITEM.match(self.key)
        if match is None:
            return None
        base, items = match["base"], []
        while (pair := self.pair(f"{base}[{len(items)}]")) is not None:
            items.append(pair)
        numbers = [(as_float(e), as_float(a)) for e, a in items]
        if not numbers or any(e is None or a is None or e.dim() or a.dim() for e, a in numbers):
            return None
        if f"{base}[{len(items)}]" in self.expected or f"{base}[{len(items)}]" in self.actual:
            return None  # one side has more items: a length difference, not a sequence to compare item by item
        return base, torch.stack([e for e, _ in numbers]), torch.stack([a for _, a in numbers])  # type: ignore[misc]

    def tensors(self) -> Iterator[tuple[str, TensorValue]]:
        """The reference's tensors other than this key's: the probe's inputs and results, whose sizes explain counts."""
        for key, value in self.expected.items():
            if isinstance(value, TensorValue) and key != self.key:
                yield key, value


Rule = Callable[[Evidence], Hint | None]


def _dtype(value: Value) -> torch.dtype:
    return value.dtype if isinstance(value, TensorValue) else torch.float64


def as_float(value: Value) -> torch.Tensor | None:
    """A tensor or a Python number (not a bool) as a float64 tensor; anything else None."""
    if isinstance(value, TensorValue):
        return value.data.to(torch.float64)
    if type(value) in (int, float):
        return torch.tensor(float(value), dtype=torch.float64)
    return None


def both_tensors(ev: Evidence) -> tuple[TensorValue, TensorValue] | None:
    """The key's two values, when both are tensors of one dtype."""
    want, got = ev.want, ev.got
    if isinstance(want, TensorValue) and isinstance(got, TensorValue) and want.dtype == got.dtype:
        return want, got
    return None


def float_pair(ev: Evidence) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The key's two values as float64 tensors, when both are floating-point tensors of one dtype and shape."""
    values = both_tensors(ev)
    if values is None or values[0].shape != values[1].shape or not values[0].dtype.is_floating_point:
        return None
    return values[0].data.to(torch.float64), values[1].data.to(torch.float64)


def distinct(values: torch.Tensor) -> int:
    return len(values.reshape(-1).unique())


def is_grad_key(key: str) -> bool:
    """A gradient's key: `grad`, `x.grad`, `weight.grad 0`, `rank 0 gradients.0.weight`; not a sentence
    that names one (`momentum_buffer after the caller zeroes p.grad in place`): its value is something else."""
    return re.search(r"(^|[\s.])(grad|gradients)($|[.\[]|\s\d)", key) is not None
