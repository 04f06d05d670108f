"""Constant factors between two results: is `got` a simple multiple of `want`, and which number is it?

A diagnosis names a factor only when it means something: shared by enough distinct
values, or a simple number (-1, n, 1/n) between values that are not themselves small
counts. `grader.core.diagnose` turns a factor into a hint (sum instead of mean, a lost
1/n, n - 1 for n, a flipped sign).
"""

from __future__ import annotations

import dataclasses
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

@dataclass(frozen=True)
class Factor:
    """A constant ratio between the learner's and the reference's values, named by its likely origin."""

    value: float
    form: str  # sign (-1) | whole (n) | inverse (1/n) | fraction (p/q) | bessel (sqrt((n-1)/n)) | root | other
    label: str  # "8", "1/8", "2/3", "sqrt(2/3)", "sqrt(1/3)", "1.37"
    n: int = 0  # the n of the whole and inverse forms
    strong: bool = False  # shared by at least MIN_DISTINCT distinct values, not by one or two


def _near(value: float, target: float) -> bool:
    return abs(value - target) <= FACTOR_RTOL * abs(target)


def name_factor(k: float) -> Factor:
    """Which simple number |k| is: n, 1/n, a fraction of small counts, sqrt((n-1)/n), or none of them."""
    m = abs(k)
    if _near(m, 1.0):
        return Factor(k, "sign", "-1")
    whole, inverse = round(m), round(1 / m)
    if 2 <= whole <= MAX_WHOLE and _near(m, whole):
        return Factor(k, "whole", str(whole), whole)
    if 2 <= inverse <= MAX_WHOLE and _near(m, 1 / inverse):
        return Factor(k, "inverse", f"1/{inverse}", inverse)
    fraction = Fraction(m).limit_denominator(MAX_COUNT)
    if fraction.numerator <= MAX_COUNT and _near(m, float(fraction)):
        return Factor(k, "fraction", str(fraction))
    square = m * m
    n = round(1 / (1 - square)) if square < 1 else round(square / (square - 1))
    if 2 <= n <= MAX_WHOLE and (_near(square, (n - 1) / n) or _near(square, n / (n - 1))):
        return Factor(k, "bessel", f"sqrt({n - 1}/{n})" if square < 1 else f"sqrt({n}/{n - 1})")
    root = Fraction(square).limit_denominator(MAX_COUNT)
    if root.numerator <= MAX_COUNT and _near(square, float(root)):
        return Factor(k, "root", f"sqrt({root})")
    return Factor(k, "other", f"{m:.4g}")


def _simple(value: float) -> bool:
    """A count or a ratio of small counts (3, 0.75): two such numbers are often in a simple ratio by chance."""
    fraction = Fraction(value).limit_denominator(MAX_COUNT)
    return value == 0.0 or (abs(fraction.numerator) <= MAX_COUNT and _near(value, float(fraction)))


def factor_between(want: torch.Tensor, got: torch.Tensor, tolerances: Tolerances, dtype: torch.dtype) -> Factor | None:
    """The constant k with got ≈ k·want for every element (k ≠ 0, 1), when it means something.

    Any two numbers have a ratio. It says something when at least MIN_DISTINCT distinct values
    share it. With fewer, only a simple factor (-1, n, 1/n) between values that are not
    themselves small counts (an accuracy of 0.5 against 1.0 is no "mean instead of sum").
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
    factor = name_factor(k)
    magnitudes = e[telling].abs().unique()
    if len(magnitudes) >= MIN_DISTINCT:
        strong = dataclasses.replace(factor, strong=True)
        return strong if factor.form != "other" or 1 / MAX_OTHER <= abs(k) <= MAX_OTHER else None
    if factor.form in ("sign", "whole", "inverse") and not all(_simple(float(m)) for m in magnitudes):
        return factor
    return None
