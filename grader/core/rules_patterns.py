"""Diagnoses of position and normalisation: values one step off, a mask's diagonal, a softmax over the wrong dim.

Each rule re-derives the learner's result from the expected one (shifted, cut, re-normalised,
re-tempered) and names the mistake only when every element fits, over enough distinct
values that the fit is no accident. A shift or a cut by one must also tell the probe's whole
story: a random crop one pixel off, or a history one epoch shorter because training stopped
earlier, come with other values that no shift explains, and then nothing is named.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from grader.core.compare import MismatchKind, compare_value
from grader.core.evidence import ITEM, MIN_DISTINCT, Evidence, Hint, both_tensors, distinct, float_pair
from grader.core.observations import TensorValue

SUMS_TO_ONE = 1e-4  # how closely a normalised slice sums to 1 (float32 softmax over a few hundred items)
LINEAR_FIT = 1e-3  # the share of the learner's log-weights a temperature may leave unexplained


def _series(ev: Evidence) -> Iterator[tuple[str, torch.Tensor, torch.Tensor]]:
    """The mismatch's values as (about, expected, actual) float tensors of one shape: the key's, or its list's."""
    values = both_tensors(ev)
    if values is not None and values[0].shape == values[1].shape and values[0].data.dim():
        yield "", values[0].data.to(torch.float64), values[1].data.to(torch.float64)
    sequence = ev.sequence()
    if sequence is not None:
        yield sequence


def _shift(ev: Evidence, least: int = MIN_DISTINCT) -> tuple[str, str] | None:
    """(about, how) when the key's values (or its list's) are the expected ones moved one position.

    `least`: the distinct values the shifted part must hold; a key that only has to fit the
    story of another (`_one_story`) needs none.
    """
    for about, want, got in _series(ev):
        for dim, size in enumerate(want.shape):
            if size < max(least, 2):
                continue
            head_w, tail_w = want.narrow(dim, 0, size - 1), want.narrow(dim, 1, size - 1)
            head_g, tail_g = got.narrow(dim, 0, size - 1), got.narrow(dim, 1, size - 1)
            if ev.close(tail_w, head_g) and distinct(tail_w) >= least:
                when = "early"
            elif ev.close(head_w, tail_g) and distinct(head_w) >= least:
                when = "late"
            else:
                continue
            where = f"along dimension {dim}, " if want.dim() > 1 else ""
            return about, f"{where}each value comes one step {when}"
    return None


def _cut(ev: Evidence, least: int = MIN_DISTINCT) -> tuple[int, int, str] | None:
    """(learner's length, expected length, where) when one dimension is shorter or longer, the rest as expected.

    `least`: the distinct values the shorter one must hold (a few repeated values fit any cut).
    """
    values = both_tensors(ev)
    if values is None or ev.mismatch.kind is not MismatchKind.SHAPE or len(values[0].shape) != len(values[1].shape):
        return None
    want, got = (v.data.to(torch.float64) for v in values)
    differ = [d for d in range(want.dim()) if want.shape[d] != got.shape[d]]
    if len(differ) != 1:
        return None
    dim = differ[0]
    longer, shorter = (want, got) if want.shape[dim] > got.shape[dim] else (got, want)
    extra, kept = longer.shape[dim] - shorter.shape[dim], shorter.shape[dim]
    if distinct(shorter) < least:
        return None
    at_end = ev.close(shorter, longer.narrow(dim, 0, kept))
    at_start = ev.close(shorter, longer.narrow(dim, extra, kept))
    if not (at_end or at_start):
        return None
    which = "at either end" if at_end and at_start else "at the end" if at_end else "at the start"
    where = f"dimension {dim}: {got.shape[dim]} where {want.shape[dim]} are expected, {which}"
    return got.shape[dim], want.shape[dim], where


def _one_story(ev: Evidence, about: str) -> bool:
    """Every other difference of the probe is a shift or a cut too, or says nothing about values (a count, a flag).

    `about` is the list the hint names (its items are the story itself).
    """
    for key, want in ev.expected.items():
        match = ITEM.match(key)
        if key == ev.key or key not in ev.actual or (about and match is not None and match["base"] == about):
            continue
        mismatch = compare_value(key, want, ev.actual[key], ev.tolerances)
        if mismatch is None or mismatch.kind not in (MismatchKind.VALUES, MismatchKind.SHAPE):
            continue
        if type(want) is not float and not isinstance(want, TensorValue):
            continue  # whole numbers, flags and names follow from the values; they do not contradict a shift
        other = Evidence(mismatch, ev.expected, ev.actual, ev.tolerances)
        if not (_counts_by_one(other) or _shift(other, least=0) or _cut(other, least=0)):
            return False
    return True


def _counts_by_one(ev: Evidence) -> bool:
    """Whole-number tensors (sizes, indices) that differ from the expected ones by one at most."""
    values = both_tensors(ev)
    if values is None or values[0].shape != values[1].shape or values[0].dtype.is_floating_point:
        return False
    return bool(((values[0].data.long() - values[1].data.long()).abs() <= 1).all())


def shifted_by_one(ev: Evidence) -> Hint | None:
    """The expected values moved one position along a dimension (or a list): everything one step early or late."""
    shift = _shift(ev)
    if shift is None or not _one_story(ev, shift[0]):
        return None
    return Hint(
        "is the expected values shifted by one position: off by one (an index, a count that starts at 1, "
        "or a step counted before it happens)?",
        shift[1],
        about=shift[0],
    )


def cut_short(ev: Evidence) -> Hint | None:
    """One dimension shorter (or longer) than expected, the values otherwise those expected: items missing at an end."""
    cut = _cut(ev)
    if cut is None or not _one_story(ev, ""):
        return None
    length, expected, where = cut
    if length == expected - 1:
        return Hint("lacks one element at an end: off by one (a loop, range or window that stops one short, a missing + 1, "
                    "< for <=), or truncated to a shorter item?", where)
    if length == expected + 1:
        return Hint("has one element too many at an end: off by one (a loop, range or window one too long, a + 1 too many, "
                    "<= for <)?", where)
    if length < expected:
        return Hint("is the expected result cut short: a loop or slice that stops early, or truncated to the shortest item?",
                    where)
    return Hint("has the expected values and more beyond them: a loop or slice that runs too far, or padded?", where)


def _triangle(rows: int, cols: int) -> Iterator[tuple[str, int, torch.Tensor]]:
    """Every lower and upper triangle of a (rows, cols) matrix of ones, and their complements (a mask of what is hidden)."""
    ones = torch.ones(rows, cols, dtype=torch.float64)
    for k in range(-rows, cols + 1):
        for name, part in (("tril", torch.tril(ones, k)), ("triu", torch.triu(ones, k))):
            yield name, k, part
            yield f"1 - {name}", k, 1 - part


def diagonal_off_by_one(ev: Evidence) -> Hint | None:
    """A triangular mask one diagonal off: tril(..., diagonal=1) where diagonal=0 was meant (a token sees the next)."""
    values = both_tensors(ev)
    if values is None or values[0].shape != values[1].shape or values[0].data.dim() < 2:
        return None
    want, got = (v.data.to(torch.float64) for v in values)
    rows, cols = want.shape[-2:]
    if rows < 2 or cols < 2 or not all(bool(((x == 0) | (x == 1)).all()) for x in (want, got)):
        return None  # a mask holds 0 and 1 (or False and True) only
    fits = {"want": [], "got": []}
    for name, k, part in _triangle(rows, cols):
        for side, data in (("want", want), ("got", got)):
            if bool((data == part).all()):
                fits[side].append((name, k))
    for name, k in fits["want"]:
        for other, k_got in fits["got"]:
            if other == name and abs(k_got - k) == 1:
                return Hint("is a triangular mask with its diagonal off by one: each position sees one more "
                            "(or one fewer) than it should (tril/triu diagonal=)?",
                            f"{name}(..., diagonal={k_got}) where diagonal={k} was meant")
    return None


def _normalised(x: torch.Tensor) -> list[int]:
    """The dimensions along which every slice of non-negative `x` sums to 1 (or is all zero: nothing to weigh)."""
    if x.dim() == 0 or bool((x < -SUMS_TO_ONE).any()):
        return []
    found = []
    for dim, size in enumerate(x.shape):
        sums = x.sum(dim)
        if size >= 2 and bool((((sums - 1).abs() <= SUMS_TO_ONE) | (x.abs().sum(dim) == 0)).all()):
            found.append(dim)
    return found


def normalised_along_another_dim(ev: Evidence) -> Hint | None:
    """Weights that sum to 1 along one dimension where the expected ones sum to 1 along another: softmax(dim=...)."""
    pair = float_pair(ev)
    if pair is None:
        return None
    want, got = pair
    expected, yours = _normalised(want), _normalised(got)
    if not expected or not yours or set(expected) & set(yours):
        return None
    return Hint("sums to 1 along another dimension than the expected result: a softmax or normalisation over the "
                "wrong dim=?", f"yours along dimension {yours[0]}, the expected along dimension {expected[0]}")


def _centred_logs(x: torch.Tensor, positive: torch.Tensor, dim: int) -> torch.Tensor:
    """log x around the mean of each slice's positive entries (a softmax's scores, up to a constant per slice)."""
    logs = torch.where(positive, x.clamp_min(torch.finfo(torch.float64).tiny).log(), torch.zeros_like(x))
    mean = logs.sum(dim, keepdim=True) / positive.sum(dim, keepdim=True).clamp_min(1)
    return torch.where(positive, logs - mean, torch.zeros_like(x))


def softmax_temperature(ev: Evidence) -> Hint | None:
    """Softmax weights whose log-ratios are a constant multiple of the expected ones: the scores scaled differently."""
    pair = float_pair(ev)
    if pair is None:
        return None
    want, got = pair
    dims = set(_normalised(want)) & set(_normalised(got))
    positive = want > 0
    if not dims or not bool((positive == (got > 0)).all()) or distinct(want[positive]) < MIN_DISTINCT:
        return None
    dim = min(dims)
    centred_w, centred_g = _centred_logs(want, positive, dim), _centred_logs(got, positive, dim)
    size = float((centred_w * centred_w).sum())
    if size == 0.0:
        return None
    k = float((centred_g * centred_w).sum()) / size
    residual = float((centred_g - k * centred_w).norm())
    if abs(k - 1) < 1e-3 or k <= 0 or residual > LINEAR_FIT * float(centred_g.norm()):
        return None
    return Hint("is a softmax of scores scaled differently (a temperature): scores divided by d where √d was "
                "meant, or the reverse?", f"your log-weights are {k:.3g} times the expected ones")

