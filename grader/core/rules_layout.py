"""Diagnoses of type and layout: the right values in the wrong dtype, kind, order or shape.

A layout rule names a mistake only when the learner's values *are* the expected ones
once laid out again (transposed, unscrambled, cut, re-ordered): the values prove it.
"""

from __future__ import annotations

import itertools
import re

import torch

from grader.core.compare import MismatchKind
from grader.core.evidence import MIN_DISTINCT, Evidence, Hint, both_tensors, distinct
from grader.core.observations import TensorValue

MAX_PERMUTED_DIMS = 4
MAX_BLOCKS = 4  # LSTM gates (i, f, g, o), attention's (q, k, v): a few blocks along one dimension
SHAPE_TEXT = re.compile(r"^(?:torch\.Size\(\[|\()(?P<sizes>\d+(?:,\s*\d+)*),?\s*(?:\]\)|\))$")


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


def _sorted(value: TensorValue) -> TensorValue:
    """The values alone, whatever their layout."""
    return TensorValue(value.data.reshape(-1).sort().values, value.device)


def _sizes(value: object) -> tuple[int, ...] | None:
    """The sizes a shape written as text holds: "(1, 4, 32)", "torch.Size([1, 4, 32])"; None for other values."""
    match = SHAPE_TEXT.match(value) if isinstance(value, str) else None
    return tuple(int(size) for size in match["sizes"].split(",") if size.strip()) if match else None


def transposed(ev: Evidence) -> Hint | None:
    """The expected values with their dimensions swapped, or scrambled into a permuted shape (reshape for permute)."""
    sizes = _sizes(ev.want), _sizes(ev.got)
    if sizes[0] is not None and sizes[1] is not None and sizes[0] != sizes[1] and sorted(sizes[0]) == sorted(sizes[1]):
        return Hint("is the expected shape with its dimensions swapped: a missing or extra transpose (batch_first)?")
    values = both_tensors(ev)
    if values is None:
        return None
    want, got = values
    ndim = len(want.shape)
    if not 2 <= ndim <= MAX_PERMUTED_DIMS or len(got.shape) != ndim or sorted(want.shape) != sorted(got.shape):
        return None
    identity = tuple(range(ndim))
    for order in itertools.permutations(identity):
        if order == identity or tuple(got.shape[d] for d in order) != want.shape:
            continue
        if ev.same(want, TensorValue(got.data.permute(order).contiguous(), got.device)):
            how = ".T" if ndim == 2 else f".permute{order}"
            return Hint("is the expected result with its dimensions swapped: a missing or extra transpose?",
                        f"your result{how} matches")
    if want.shape != got.shape and ev.same(_sorted(want), _sorted(got)):
        return Hint("has the expected values, laid out differently: reshape or view where permute was meant?")
    for order in itertools.permutations(identity):
        # The input, laid out as `order` of the expected, read straight into the expected shape.
        scrambled = want.data.permute(order).contiguous().reshape(want.shape)
        if order != identity and distinct(want.data) >= MIN_DISTINCT and ev.same(TensorValue(scrambled, want.device), got):
            return Hint(
                "has the expected values in the expected shape, scrambled: reshape or view where permute was meant?",
                f"the expected result .permute{order} read as shape {list(want.shape)}",
            )
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


def blocks_permuted(ev: Evidence) -> Hint | None:
    """The expected result cut into equal blocks along one dimension, put together in another order (gate order)."""
    values = both_tensors(ev)
    if values is None or values[0].shape != values[1].shape or distinct(values[0].data) < MIN_DISTINCT:
        return None
    want, got = (v.data for v in values)
    for dim, size in enumerate(want.shape):
        for count in range(2, MAX_BLOCKS + 1):
            if size % count or size // count < 2:
                continue
            blocks = want.chunk(count, dim)
            for order in itertools.permutations(range(count)):
                if order == tuple(range(count)):
                    continue
                if ev.close(got.to(torch.float64), torch.cat([blocks[i] for i in order], dim).to(torch.float64)):
                    return Hint(
                        "has the expected blocks in another order along one dimension: chunks (gates, heads, q/k/v) "
                        "split or stacked in a different order?",
                        f"{count} blocks along dimension {dim}; yours are the expected ones in the order {order}",
                    )
    return None
