"""Diagnoses from the values themselves: a missing gradient, an overflow, a constant factor, a count off by one.

Each rule states a signature that every element must fit, and asks for enough
distinct values (or a count the probe's sizes explain) before it names anything:
two numbers always have a ratio and a difference, so a single pair proves nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import torch

from grader.core.compare import MismatchKind
from grader.core.evidence import ITEM, MIN_DISTINCT, Evidence, Hint, as_float, distinct, float_pair, is_grad_key
from grader.core.factors import PIXEL_SCALE, Factor, factor_between, near, reduced_sizes, simple
from grader.core.observations import TensorValue

NUMEL = "the number of elements"  # where a count is found: the gradient's own element count


def gradient_missing(ev: Evidence) -> Hint | None:
    """A gradient that is None or all zero where the reference has one: the graph was cut."""
    if not is_grad_key(ev.key) or not isinstance(ev.want, TensorValue) or not bool(ev.want.data.any()):
        return None
    if ev.got is None:
        return Hint("is None: no gradient reached it. Did .data, .detach(), .item() or torch.no_grad() cut the graph?")
    if isinstance(ev.got, TensorValue) and ev.got.data.numel() and not bool(ev.got.data.any()):
        return Hint(
            "is all zeros: did .data or .detach() cut the graph, or were the gradients zeroed after backward()?"
        )
    return None


def overflow(ev: Evidence) -> Hint | None:
    """NaN or Inf where the reference is finite: exp() overflowed, or log(0)."""
    if ev.mismatch.kind is not MismatchKind.NONFINITE or not ev.mismatch.stats.get("actual_nonfinite"):
        return None
    want, got = as_float(ev.want), as_float(ev.got)
    if want is None or got is None or _non_finite_belongs(ev):
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


def _non_finite_belongs(ev: Evidence) -> bool:
    """The reference itself has inf or NaN in this result or its siblings (`best[0]` for `best[1]`): such
    values are part of what is computed (a running best that starts at inf, a NaN the probe feeds in),
    so a non-finite value is no sign of an overflow."""
    stem = re.sub(r"\[\d+\]$", "", ev.key)
    for key, value in ev.expected.items():
        if key == ev.key or re.sub(r"\[\d+\]$", "", key) == stem:
            number = as_float(value)
            if number is not None and not bool(torch.isfinite(number).all()):
                return True
    return False


def _counts(ev: Evidence) -> Iterator[tuple[int, str]]:
    """The counts a mean that produced this result could have divided by, and where each is found.

    A gradient: its own sizes (d mean(x) / dx is 1/n for each of x's n elements). A number
    (a loss): the sizes of the probe's tensors (the batch it averages over). Any other
    tensor: the dimensions that some tensor of the probe has beyond the result's shape,
    the ones a mean would have reduced away.
    """
    own = ev.want.shape if isinstance(ev.want, TensorValue) else ()
    if own and is_grad_key(ev.key):
        yield math.prod(own), NUMEL
        yield from ((size, f"the size of dimension {d}") for d, size in enumerate(own))
        return
    for key, value in ev.tensors():
        if not own:
            yield from ((size, f"the size of dimension {d} of {key!r}") for d, size in enumerate(value.shape))
        elif (count := reduced_sizes(own, value.shape)) is not None:
            yield count, f"the count {key!r} has beyond the result's shape"


def constant_factor(ev: Evidence) -> Hint | None:
    """Every value is the same multiple of the expected one: sum vs mean, a lost 1/n, n vs n - 1, a flipped sign."""
    if ev.mismatch.kind is not MismatchKind.VALUES:
        return None
    want, got = as_float(ev.want), as_float(ev.got)
    dtype = ev.want.dtype if isinstance(ev.want, TensorValue) else torch.float64
    sequence = ev.sequence()
    if sequence is not None:  # one item of a list: the factor must hold for the whole list, not one pair
        want, got = sequence[1], sequence[2]
    if want is None or got is None or want.shape != got.shape or dtype == torch.bool:
        return None
    factor = factor_between(want, got, ev.tolerances, dtype)
    if factor is None:
        return None
    if factor.form == "sign":
        return Hint("has the sign flipped: a - b where b - a was meant, or a step up the gradient?", "factor -1")
    sign = "; the sign is flipped too" if factor.value < 0 else ""
    return _explained(ev, factor, sign) or _unexplained(factor, sign)


def _witness(ev: Evidence, factor: Factor) -> bool:
    """Another key of the probe off by the same factor over enough distinct values: it says more than this one."""
    for key, want in ev.expected.items():
        if key == ev.key or not isinstance(want, TensorValue) or want.data.numel() < MIN_DISTINCT:
            continue  # a factor over many values needs a tensor of several
        values = as_float(want), as_float(ev.actual.get(key))
        if values[1] is None or values[0].shape != values[1].shape:
            continue
        dtype = want.dtype if isinstance(want, TensorValue) else torch.float64
        other = factor_between(values[0], values[1], ev.tolerances, dtype)
        if other is not None and other.strong and near(other.value, factor.value, factor.rtol):
            return True
    return False


def _ignored(ev: Evidence, factor: Factor) -> str:
    """The factor as kept/n, n the items along dimension 0 and kept those whose expected slice is not all zero.

    Ignored targets counted in a mean: their rows of the gradient are zero on both sides and the
    others are kept/n of the expected. Read from the zeros, not from the value, so 4 kept of 6 and
    2 kept of 8 get the same name (2/8 is also 1/4, the count of 4 classes, by chance).
    """
    if not isinstance(ev.want, TensorValue) or ev.want.data.dim() == 0 or ev.want.shape[0] < 2:
        return ""
    rows = ev.want.data.reshape(ev.want.shape[0], -1)
    n, kept = rows.shape[0], int((rows != 0).any(dim=1).sum())
    if not 0 < kept < n:
        return ""
    if near(abs(factor.value), kept / n, factor.rtol):
        return f"off by a factor of {kept}/{n}: {n - kept} of the {n} items along dimension 0 are ignored"
    if near(abs(factor.value), n / kept, factor.rtol):
        return f"off by a factor of {n}/{kept}: {n - kept} of the {n} items along dimension 0 are ignored"
    return ""


def _explained(ev: Evidence, factor: Factor, sign: str) -> Hint | None:
    """A factor that the probe explains: items ignored but counted, a count n (sum for mean, 1/n), n - 1 for n.

    A few values (a loss) leave the naming to a key that shows the same factor over many (its
    gradient): one name per mistake, whichever counts the data made.
    """
    if not factor.strong and _witness(ev, factor):
        return None
    ignored = _ignored(ev, factor) if factor.strong else ""
    if ignored:
        return Hint("is scaled by a ratio of counts: averaged over a different number of items "
                    "(ignored items counted, or n - 1 for n)?", f"{ignored}{sign}")
    counts = list(dict.fromkeys(_counts(ev)))
    if factor.form in ("whole", "inverse"):
        where = next((where for n, where in counts if n == factor.n), None)
        if where is None:
            return None
        specific = f"off by a factor of {factor.label}, {where}{sign}"
        if factor.form == "whole":
            return Hint("looks like a sum instead of a mean, or a missing 1/n", specific)
        return Hint("looks like a mean instead of a sum, or a division by n too many", specific)
    k = abs(factor.value)
    for n, where in counts:
        if n >= 2 and (near(k, (n - 1) / n, factor.rtol) or near(k, n / (n - 1), factor.rtol)):
            return Hint("looks like n where n - 1 was meant, or the reverse: a biased vs unbiased variance (correction=)?",
                        f"off by a factor of {factor.label}, n {where}{sign}")
    return None


def _unexplained(factor: Factor, sign: str) -> Hint | None:
    """A factor no count of the probe explains: named only by its own form, and only where that form means something."""
    specific = f"off by a factor of {factor.label}{sign}"
    if factor.form in ("whole", "inverse") and factor.n == PIXEL_SCALE:
        return Hint("is 255 times the expected values, or 1/255 of them: pixels in 0…255 where 0…1 is expected "
                    "(a missing / 255), or the reverse?", specific)
    if factor.form == "bessel" and factor.strong:  # n/(n - 1) from one or two values is as likely chance
        return Hint("looks like n where n - 1 was meant, or the reverse: a biased vs unbiased std (correction=)?",
                    specific)
    if factor.strong and factor.form in ("root", "other"):
        return Hint("is the expected values times a constant: a scale or normaliser lost or added "
                    "(a divisor, a gain, a learning rate)?", specific)
    return None  # a simple factor (3, 1/2, 2/3) that no count explains: as likely a coincidence as not


def _integers(ev: Evidence) -> Iterator[tuple[str, int, int]]:
    """Every (key, expected, actual) of whole numbers the probe's two sides disagree on (a count, a length, an index)."""
    for key, want in ev.expected.items():
        got = ev.actual.get(key)
        if type(want) is int and type(got) is int and want != got:
            yield key, want, got


def off_by_one(ev: Evidence) -> Hint | None:
    """Counts one more (or one less) than expected, all of them, over enough distinct counts to rule out chance.

    A count in a list (`labels[3]`) speaks for the whole list: labels shuffled into another
    order can differ by one here and there, while labels counted from 1 all do.
    """
    if type(ev.want) is not int or type(ev.got) is not int:
        return None
    found = list(_integers(ev))
    steps = {got - want for _, want, got in found}
    if steps not in ({1}, {-1}) or len({want for _, want, _ in found}) < MIN_DISTINCT:
        return None
    step = steps.pop()
    lists = {match["base"] for key, _, _ in found if (match := ITEM.match(key)) is not None}
    for key, want in ev.expected.items():
        match = ITEM.match(key)
        if match is not None and match["base"] in lists and ev.actual.get(key) != want + step:
            return None
    more = "more" if step == 1 else "less"
    return Hint(f"is one {more} than expected, as is every count this check gets wrong: off by one "
                "(a missing or extra + 1, < for <=, counting from 1)?", f"{len(found)} counts, each one {more}")


def true_division(ev: Evidence) -> Hint | None:
    """A fraction where a whole number is expected, within one of it: / where // was meant."""
    if type(ev.want) is not int or type(ev.got) is not float or not math.isfinite(ev.got) or ev.got.is_integer():
        return None
    if abs(ev.got - ev.want) >= 1:
        return None
    return Hint("is a fraction where a whole number is expected: / where // (floor division) was meant, "
                "or a missing int() / math.floor()?")


def _telling(values: torch.Tensor) -> bool:
    """Values that do not match another result's by chance: several distinct ones, or numbers that are not small counts."""
    flat = values.reshape(-1)
    if flat.numel() >= MIN_DISTINCT:
        return distinct(flat) >= MIN_DISTINCT
    return bool(flat.numel()) and not any(simple(float(v)) for v in flat)


def swapped_keys(ev: Evidence) -> Hint | None:
    """This key holds a sibling key's expected values, and that key holds this one's: two results swapped.

    Siblings share everything up to the last dot (`macro.precision`, `macro.recall`) and are
    named, not items of a list: results of one call. Both directions must hold: one value equal
    to another key's expected one happens by chance (a schedule's lr at two epochs).
    """
    values = as_float(ev.got)
    if values is None or isinstance(ev.want, bool) or ITEM.match(ev.key) or not _telling(values):
        return None
    parent = ev.key.rpartition(".")[0]
    for other, want_other in ev.expected.items():
        if other == ev.key or other.rpartition(".")[0] != parent or other not in ev.actual or ITEM.match(other):
            continue
        if ev.same(ev.want, want_other):
            continue
        if ev.same(want_other, ev.got) and ev.same(ev.want, ev.actual[other]):
            return Hint(f"and {other!r} hold each other's values: swapped (results returned in another order, "
                        "or read from a transposed table)?")
    return None


def zeros_expected(ev: Evidence) -> Hint | None:
    """Right everywhere except where zeros are expected: a mask, an ignored index or a clamp at 0 not applied."""
    pair = float_pair(ev)
    if pair is None:
        return None
    want, got = pair
    zero = want == 0
    if not bool(zero.any()) or bool(zero.all()) or not ev.close(want[~zero], got[~zero]):
        return None
    wrong = int((got[zero] != 0).sum())
    if wrong == 0:
        return None
    return Hint(
        "is right except where zeros are expected: a mask not applied (padding_idx, ignore_index, a causal or "
        "padding mask), or a clamp at 0 missing (max(·, 0), a hinge, relu)?",
        f"{wrong} of {int(zero.sum())} expected zeros are not zero",
    )
