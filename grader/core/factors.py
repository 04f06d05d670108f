"""Constant factors between two results: is `got` a simple multiple of `want`, and what explains it?

Any two numbers have a ratio, so a factor says something only when it is shared by
enough distinct values and explained by the probe itself: a sum instead of a mean is
off by a count that is a size of the probe's tensors (the batch, the reduced
dimensions), and an average over the wrong number of items by a ratio m/n of such a
count n. A factor equal to a count by chance (a BatchNorm momentum 0.25 used as
0.75 gives 3, which may also be the number of features) names nothing: the count has
to be the one a mean over the result's own inputs would divide by. Ratios that depend
on the data (how many labels a random batch ignores) are read against a size that is
always in the probe, so one mistake gets the same name on every seed.
`grader.core.rules_values.constant_factor` turns a factor into a hint.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from fractions import Fraction

import torch

from grader.core.compare import Tolerances

# A ratio of two results counts as a "factor" only if every element agrees with it this closely.
FACTOR_RTOL = 1e-5
# Simple factors: n and 1/n up to MAX_WHOLE; p/q with both counts up to MAX_COUNT.
MAX_WHOLE, MAX_COUNT = 100_000, 12
# Distinct expected magnitudes that must share a ratio before any ratio (not only n or 1/n) is named;
# and the largest (or 1 / smallest) such ratio: beyond it, "a constant factor" is rather "nearly zero".
MIN_DISTINCT, MAX_OTHER = 3, 1e3
# Elements whose expected value is this small, relative to the largest, say nothing about a ratio.
NEGLIGIBLE = 1e-3
# Pixel values: 0…255 where 0…1 is expected, or the reverse.
PIXEL_SCALE = 255


@dataclass(frozen=True)
class Factor:
    """A constant ratio between the learner's and the reference's values, named by its likely origin."""

    value: float
    form: str  # sign (-1) | whole (n) | inverse (1/n) | fraction (p/q) | bessel (sqrt((n-1)/n)) | root | other
    label: str  # "8", "1/8", "2/3", "sqrt(2/3)", "sqrt(1/3)", "1.37"
    n: int = 0  # the n of the whole and inverse forms
    strong: bool = False  # shared by at least MIN_DISTINCT distinct values, not by one or two
    rtol: float = FACTOR_RTOL  # how closely it was measured: the check's tolerance, or FACTOR_RTOL if tighter


def near(value: float, target: float, rtol: float = FACTOR_RTOL) -> bool:
    return abs(value - target) <= rtol * abs(target)


def name_factor(k: float, rtol: float = FACTOR_RTOL) -> Factor:
    """Which simple number |k| is: n, 1/n, a fraction of small counts, sqrt((n-1)/n), or none of them."""
    m = abs(k)
    if near(m, 1.0, rtol):
        return Factor(k, "sign", "-1", rtol=rtol)
    whole, inverse = round(m), round(1 / m)
    if 2 <= whole <= MAX_WHOLE and near(m, whole, rtol):
        return Factor(k, "whole", str(whole), whole, rtol=rtol)
    if 2 <= inverse <= MAX_WHOLE and near(m, 1 / inverse, rtol):
        return Factor(k, "inverse", f"1/{inverse}", inverse, rtol=rtol)
    fraction = Fraction(m).limit_denominator(MAX_COUNT)
    if fraction.numerator <= MAX_COUNT and near(m, float(fraction), rtol):
        return Factor(k, "fraction", str(fraction), rtol=rtol)
    square = m * m
    n = round(1 / (1 - square)) if square < 1 else round(square / (square - 1))
    if 2 <= n <= MAX_WHOLE and (near(square, (n - 1) / n, rtol) or near(square, n / (n - 1), rtol)):
        return Factor(k, "bessel", f"sqrt({n - 1}/{n})" if square < 1 else f"sqrt({n}/{n - 1})", rtol=rtol)
    root = Fraction(square).limit_denominator(MAX_COUNT)
    if root.numerator <= MAX_COUNT and near(square, float(root), rtol):
        return Factor(k, "root", f"sqrt({root})", rtol=rtol)
    return Factor(k, "other", f"{m:.4g}", rtol=rtol)


def simple(value: float) -> bool:
    """A count or a ratio of small counts (3, 0.75): two such numbers are often in a simple ratio by chance."""
    fraction = Fraction(value).limit_denominator(MAX_COUNT)
    return value == 0.0 or (abs(fraction.numerator) <= MAX_COUNT and near(value, float(fraction)))


def factor_between(want: torch.Tensor, got: torch.Tensor, tolerances: Tolerances, dtype: torch.dtype) -> Factor | None:
    """The constant k with got ≈ k·want for every element (k ≠ 0, 1), when enough values say so.

    It says something when at least MIN_DISTINCT distinct values share it. With fewer,
    only a simple factor (-1, n, 1/n) between values that are not themselves small
    counts (an accuracy of 0.5 against 1.0 is no "mean instead of sum").
    """
    e, a = want.reshape(-1), got.reshape(-1)
    if e.numel() == 0 or not (torch.isfinite(e).all() and torch.isfinite(a).all()):
        return None
    scale = float(e.abs().max())
    if scale == 0.0:
        return None
    telling = e.abs() > NEGLIGIBLE * scale
    k = float((a[telling] / e[telling]).median())
    if k == 0.0 or abs(k - 1.0) < 1e-3:
        return None
    tolerance = tolerances.for_dtype(dtype)
    rtol = max(tolerance.rtol, FACTOR_RTOL)
    if not bool(((a - k * e).abs() <= tolerance.atol * max(1.0, abs(k)) + rtol * (k * e).abs()).all()):
        return None
    factor = name_factor(k, rtol)
    magnitudes = e[telling].abs().unique()
    if len(magnitudes) >= MIN_DISTINCT:
        strong = dataclasses.replace(factor, strong=True)
        return strong if factor.form != "other" or 1 / MAX_OTHER <= abs(k) <= MAX_OTHER else None
    if factor.form in ("sign", "whole", "inverse") and not all(simple(float(m)) for m in magnitudes):
        return factor
    return None


def reduced_sizes(result: tuple[int, ...], tensor: tuple[int, ...]) -> int | None:
    """The count a mean over some dimensions of `tensor` divides by, when those dimensions leave `result`'s shape.

    (6, 3) -> (3,): 6; (5, 4, 3) -> (4,): 15; (6, 3) -> (6, 3): nothing is reduced, None.
    """
    if len(tensor) <= len(result):
        return None
    kept, position = [], 0
    for size in tensor:  # keep `result`'s sizes in order, greedily; the rest were reduced
        if position < len(result) and size == result[position]:
            kept.append(size)
            position += 1
    if position != len(result):
        return None
    return math.prod(tensor) // max(1, math.prod(kept))
