"""One-line diagnoses: a failed check whose difference has a known signature gets a hint.

A comparison says *what* differs; a diagnosis guesses *why*, from the shape of the
difference: a gradient that is None, values off by a constant factor, a transposed
result, NaN from an overflow, parameters that did not move in a step. Each signature
is one small rule, a function from `Evidence` (one mismatch and both sides'
observations) to a `Hint` or None. `diagnose` tries the mismatches in the probe's
key order and, for each, the rules in `RULES` order: the first hint found wins.

Context observations. Some mistakes show only against a value from before the code
under test ran. A probe records such values under three top-level keys, compared like
any other observation:

    return {"x": x, "start": {"x": x0}}                # x before the first step
    return {"x": x2, "previous": {"x": x1}}            # x one step before the last (two or more steps)
    return {"out": y, "given": {"out": x_in}}          # the input `out` was computed from

`start.K` or `previous.K`: K that did not move although the reference's did was never
stepped. `previous.K`: a last step twice the reference's added the step before's
gradient (no zero_grad). That needs a step before, hence two keys: a first step twice
too long is a learning rate, not accumulation. `given.K`: K equal to its input was
never transformed.

Hidden checks: a hint's `text` names a kind of mistake and never a number taken
from the comparison; its `specific` part (a factor, a dimension, a size) could help
reconstruct expected values, so it is shown for visible checks only.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from grader.core.compare import Mismatch, MismatchKind, Tolerances, compare_value
from grader.core.factors import factor_between
from grader.core.observations import Observations, Opaque, Raised, TensorValue, Value

START, PREVIOUS, GIVEN = "start", "previous", "given"  # context prefixes (see above)

# The last step moved `ACCUMULATED_FACTOR` times as far as expected, within this share of the move.
ACCUMULATED_FACTOR, ACCUMULATED_SLACK = 2.0, 0.1
MAX_PERMUTED_DIMS = 4


@dataclass(frozen=True)
class Hint:
    text: str  # the kind of mistake: safe for hidden checks
    specific: str = ""  # numbers from the comparison (factor, dimension): visible checks only

    def render(self, key: str, hidden: bool) -> str:
        detail = f" ({self.specific})" if self.specific and not hidden else ""
        return f"{key!r} {self.text}{detail}"


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

    def context(self, prefix: str) -> tuple[Value, Value] | None:
        """The (expected, actual) values of `prefix.key`, when the probe recorded them."""
        name = f"{prefix}.{self.key}"
        if name in self.expected and name in self.actual:
            return self.expected[name], self.actual[name]
        return None

    def same(self, want: Value, got: Value) -> bool:
        """Equal as the comparison would judge them (same kind, dtype, shape, values within tolerance)."""
        if any(isinstance(v, (Opaque, Raised)) for v in (want, got)):
            return False
        return compare_value(self.key, want, got, self.tolerances) is None


Rule = Callable[[Evidence], Hint | None]


def diagnose(
    mismatches: list[Mismatch],
    expected: Observations,
    actual: Observations,
    tolerances: Tolerances | None = None,
    hidden: bool = False,
) -> str:
    """The first known signature among the mismatches, as one line; "" when none fits."""
    for mismatch in mismatches:
        evidence = Evidence(mismatch, expected, actual, tolerances or Tolerances())
        for rule in RULES:
            hint = rule(evidence)
            if hint is not None:
                return hint.render(mismatch.key, hidden)
    return ""


# --- helpers ---------------------------------------------------------------------


def _tensor(value: Value) -> torch.Tensor | None:
    """A tensor or a Python number as a float64 tensor; anything else None."""
    if isinstance(value, TensorValue):
        return value.data.to(torch.float64)
    if type(value) in (int, float):
        return torch.tensor(float(value), dtype=torch.float64)
    return None


def _sorted(value: TensorValue) -> TensorValue:
    """The values alone, whatever their layout."""
    return TensorValue(value.data.reshape(-1).sort().values, value.device)


def _is_grad_key(key: str) -> bool:
    return re.search(r"(^|[\s.])grad($|[\s.\[])", key) is not None


def _size_named(size: int, ev: Evidence) -> str:
    """Where `size` occurs among the result's sizes (the n of a lost 1/n); for a number, among the probe's tensors."""
    own = ev.want.shape if isinstance(ev.want, TensorValue) else ()
    if own and size == int(torch.tensor(own).prod()):
        return ", the number of elements"
    if size in own:
        return f", the size of dimension {own.index(size)}"
    if own:
        return ""
    for key, value in ev.expected.items():  # a number (a loss): its n is a size of the probe's tensors
        if isinstance(value, TensorValue) and size in value.shape:
            return f", the size of dimension {value.shape.index(size)} of {key!r}"
    return ""


# --- rules, in the order they are tried ------------------------------------------------


def gradient_missing(ev: Evidence) -> Hint | None:
    """A gradient that is None or all zero where the reference has one: the graph was cut."""
    if not _is_grad_key(ev.key) or not isinstance(ev.want, TensorValue) or not bool(ev.want.data.any()):
        return None
    if ev.got is None:
        return Hint("is None: no gradient reached it. Did .data, .detach(), .item() or torch.no_grad() cut the graph?")
    if isinstance(ev.got, TensorValue) and ev.got.data.numel() and not bool(ev.got.data.any()):
        return Hint(
            "is all zeros: did .data or .detach() cut the graph, or were the gradients zeroed after backward()?"
        )
    return None


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
    start_e, start_a, want, got = (_tensor(v) for v in (*before, ev.want, ev.got))
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
    if given is None or not ev.same(given[1], ev.got) or ev.same(given[0], ev.want):
        return None
    return Hint("equals its input: was the function applied, or the input returned unchanged?")


def wrong_dtype(ev: Evidence) -> Hint | None:
    """A dtype mismatch, with the usual way each pair arises."""
    if not (isinstance(ev.want, TensorValue) and isinstance(ev.got, TensorValue)) or ev.mismatch.kind is not MismatchKind.DTYPE:
        return None
    want, got = ev.want.dtype, ev.got.dtype
    name = str(want).removeprefix("torch.")
    if want == torch.float32 and got == torch.float64:
        return Hint("is float64: made from a NumPy array or Python floats with dtype float64? Convert with .float().")
    if want.is_floating_point and not got.is_floating_point:
        return Hint(
            f"has an integer dtype where {name} is expected: torch.tensor([1, 2]) and arange(4) are int64. "
            f"Write 1.0, pass dtype=torch.{name}, or divide with / rather than //."
        )
    if want == torch.bool:
        return Hint("should be a bool tensor: a comparison (x > 0, a == b) gives one directly.")
    if not want.is_floating_point and got.is_floating_point:
        return Hint(f"has a floating dtype where {name} is expected: indices and labels are integers (.long(), //).")
    return None


def tensor_or_number(ev: Evidence) -> Hint | None:
    """A tensor where a Python number was expected, or the other way round."""
    kinds = (ev.mismatch.stats.get("expected_kind"), ev.mismatch.stats.get("actual_kind"))
    if kinds in (("number", "torch.Tensor"), ("bool", "torch.Tensor")):
        return Hint("is a tensor where a Python number is expected: .item() turns a one-element tensor into one.")
    if kinds in (("torch.Tensor", "number"), ("torch.Tensor", "bool")):
        return Hint("is a Python number where a tensor is expected: keep the tensor (no .item(), float() or int()).")
    return None


def transposed(ev: Evidence) -> Hint | None:
    """The expected values with their dimensions swapped, or scrambled into a permuted shape (reshape for permute)."""
    if not (isinstance(ev.want, TensorValue) and isinstance(ev.got, TensorValue)) or ev.want.dtype != ev.got.dtype:
        return None
    want, got = ev.want, ev.got
    ndim = len(want.shape)
    if not 2 <= ndim <= MAX_PERMUTED_DIMS or len(got.shape) != ndim or sorted(want.shape) != sorted(got.shape):
        return None
    for order in itertools.permutations(range(ndim)):
        if order == tuple(range(ndim)) or tuple(got.shape[d] for d in order) != want.shape:
            continue
        if ev.same(want, TensorValue(got.data.permute(order).contiguous(), got.device)):
            how = ".T" if ndim == 2 else f".permute{order}"
            return Hint("is the expected result with its dimensions swapped: a missing or extra transpose?",
                        f"your result{how} matches")
    if want.shape != got.shape and ev.same(_sorted(want), _sorted(got)):
        return Hint("has the expected values, laid out differently: reshape or view where permute was meant?")
    return None


def dimension_off_by_one(ev: Evidence) -> Hint | None:
    """A shape with one dimension too many or too few (keepdim, squeeze, a missing reduction)."""
    if ev.mismatch.kind is not MismatchKind.SHAPE or not (isinstance(ev.want, TensorValue) and isinstance(ev.got, TensorValue)):
        return None
    want, got = ev.want.shape, ev.got.shape
    if abs(len(want) - len(got)) != 1:
        return None
    longer, shorter = (got, want) if len(got) > len(want) else (want, got)
    positions = [d for d in range(len(longer)) if longer[:d] + longer[d + 1 :] == shorter]
    if not positions:
        return None
    dim = next((d for d in positions if longer[d] == 1), positions[0])
    size = longer[dim]
    same_values = size == 1 and ev.same(ev.want, TensorValue(ev.got.data.reshape(want), ev.got.device))
    where = f"dimension {dim}" + (f", of size {size}" if size != 1 else "") + (
        "; the values match once the shapes agree" if same_values else ""
    )
    if got is longer and size == 1:
        return Hint("has an extra dimension of size 1: keepdim=True, or an unsqueeze / None index too many?", where)
    if got is longer:
        return Hint("has an extra dimension: is a sum or mean over it missing?", where)
    if size == 1:
        return Hint("lacks a dimension of size 1: squeezed away, or is keepdim=True needed?", where)
    return Hint("lacks a dimension: reduced over one dimension too many?", where)


def overflow(ev: Evidence) -> Hint | None:
    """NaN or Inf where the reference is finite: exp() overflowed, or log(0)."""
    if ev.mismatch.kind is not MismatchKind.NONFINITE or not ev.mismatch.stats.get("actual_nonfinite"):
        return None
    want, got = _tensor(ev.want), _tensor(ev.got)
    if want is None or got is None:
        return None
    wrong = got[torch.isfinite(want) & ~torch.isfinite(got)]
    if bool((wrong == torch.inf).any()):
        return Hint("overflowed to inf: exp() of a large value? Subtract the max first, or use torch.logsumexp.")
    if bool((wrong == -torch.inf).any()):
        return Hint("has -inf: log(0)? Clamp the argument (min=eps), or stay in log space (log_softmax, logsigmoid).")
    return Hint(
        "has NaN: 0 / 0, inf - inf after exp() overflowed (subtract the max, use torch.logsumexp), "
        "or 0 * log(0) (torch.xlogy)?"
    )


def constant_factor(ev: Evidence) -> Hint | None:
    """Every value is the same multiple of the expected one: sum vs mean, a lost 1/n, n vs n - 1, a flipped sign."""
    if ev.mismatch.kind is not MismatchKind.VALUES:
        return None
    want, got = _tensor(ev.want), _tensor(ev.got)
    dtype = ev.want.dtype if isinstance(ev.want, TensorValue) else torch.float64
    if want is None or got is None or want.shape != got.shape or dtype == torch.bool:
        return None
    factor = factor_between(want, got, ev.tolerances, dtype)
    if factor is None:
        return None
    if factor.form == "sign":
        return Hint("has the sign flipped: a - b where b - a was meant, or a step up the gradient?", "factor -1")
    sign = "; the sign is flipped too" if factor.value < 0 else ""
    if factor.form in ("whole", "inverse"):
        size = _size_named(factor.n, ev)
        specific = f"off by a factor of {factor.label}{size}{sign}"
        if size and factor.form == "whole":
            return Hint("looks like a sum instead of a mean, or a missing 1/n", specific)
        if size:
            return Hint("looks like a mean instead of a sum, or a division by n too many", specific)
        if not factor.strong:
            return None  # a simple factor between few values, and no n in sight: a coincidence as likely as not
        return Hint("is the expected values times a constant: a factor lost or added (a scale, 1/n)?", specific)
    specific = f"off by a factor of {factor.label}{sign}"
    if factor.form == "fraction":
        return Hint("is scaled by a ratio of counts: averaged over a different number of items "
                    "(n - 1 for n, ignored items counted)?", specific)
    if factor.form == "bessel":
        return Hint("looks like n where n - 1 was meant, or the reverse: a biased vs unbiased std (correction=)?",
                    specific)
    return Hint("is the expected values times a constant: a factor lost or added (a scale, a learning rate)?",
                specific)


def known_error(ev: Evidence) -> Hint | None:
    """An exception observed in place of a value, with a message PyTorch uses for a known mistake."""
    if not isinstance(ev.got, Raised):
        return None
    text = error_hint(ev.got.message)
    return Hint(f"raised: {text}") if text else None


RULES: tuple[Rule, ...] = (
    gradient_missing,
    parameters_not_stepped,
    gradients_accumulated,
    function_not_applied,
    wrong_dtype,
    tensor_or_number,
    transposed,
    dimension_off_by_one,
    overflow,
    constant_factor,
    known_error,
)


# --- exceptions ---------------------------------------------------------------------

ERROR_HINTS: tuple[tuple[str, str], ...] = (
    (
        r"does not require grad and does not have a grad_fn",
        (
            "backward() on a result without a graph: did .data, .detach(), .item() or torch.no_grad() cut it, "
            "or does the input lack requires_grad=True?"
        ),
    ),
    (
        r"grad can be implicitly created only for scalar outputs",
        "backward() needs a scalar: reduce first (.sum() or .mean()), or pass gradient=...",
    ),
    (
        r"backward through the graph a second time",
        "backward() frees the graph: recompute the forward pass, or pass retain_graph=True to the first backward().",
    ),
    (
        r"leaf Variable that requires grad is being used in an in-place operation",
        "update parameters inside `with torch.no_grad():` (or let optimizer.step() do it).",
    ),
    (
        r"modified by an inplace operation",
        "an in-place change (+=, x[...] = ..., relu_) overwrote a value backward() needs: use the out-of-place form.",
    ),
    (
        r"mat1 and mat2 shapes cannot be multiplied",
        "the inner sizes of a matrix product differ: a weight that needs .T (x @ W.T)?",
    ),
    (
        r"expected scalar type|same dtype|found dtype \w+ but expected",
        "float32 and float64 mixed: a NumPy array or a float64 tensor? Convert with .float().",
    ),
)


def error_hint(message: str) -> str:
    """A hint for an exception PyTorch raises on a known mistake; "" for any other."""
    for pattern, hint in ERROR_HINTS:
        if re.search(pattern, message):
            return hint
    return ""
