"""One-line diagnoses: a failed check whose difference has a known signature gets a hint.

A comparison says *what* differs; a diagnosis guesses *why*, from the shape of the
difference: a gradient that is None, values off by a count the probe explains, a
transposed result, NaN from an overflow, parameters that did not move in a step, a
list shifted by one, a softmax over the wrong dimension. Each signature is one small
rule, a function from `Evidence` (one mismatch and both sides' observations) to a
`Hint` or None (`grader.core.evidence`); the rules live by family in
`grader.core.rules_context`, `rules_layout`, `rules_patterns` and `rules_values`.
`diagnose` tries the mismatches in the probe's key order and, for each, the rules in
`RULES` order: the first hint found wins. A wrong hint costs a learner more than none,
so a rule names a mistake only when every element fits it, over enough distinct values
(or counts of the probe) that the fit is no coincidence; and a rule that fails on odd
observations gives no hint, never an error: the verdict stands without it.

Context observations. Some mistakes show only against a value from outside the
result. A probe records such values under five top-level keys, compared like any
other observation (clone tensors the code under test may change):

    return {"x": x, "start": {"x": x0}}                # x before the first step
    return {"x": x2, "previous": {"x": x1}}            # x one step before the last (two or more steps)
    return {"out": y, "given": {"out": x_in}}          # the input `out` was computed from, before the call
    return {"out": y, "input": {"out": x_now}}         # that input as the call left it (with given.out)
    return {"out": y, "after": {"out": y_now}}         # out again, after the probe changed the input in place

`start.K` or `previous.K`: K that did not move although the reference's did was never
stepped. `previous.K`: a last step twice the reference's added the step before's
gradient (no zero_grad). That needs a step before, hence two keys: a first step twice
too long is a learning rate, not accumulation. `given.K`: K equal to its input was
never transformed; K that is a reduction, softmax or centring of its input along
another dimension than the reference's ran along the wrong dim. `input.K` with
`given.K`: an input the call changed, where the reference's call left it alone, was
changed in place (or the reverse: an update that should happen in place did not).
`after.K`: the probe changes the input after the call (`x.add_(1)`, `array[0] = 100`)
and records K again; K that followed the change shares memory with its input where
the reference returns a copy (or, the reverse, is a copy where it should be a view).

Hidden checks: a hint's `text` names a kind of mistake and never a number taken
from the comparison; its `specific` part (a factor, a dimension, a size) could help
reconstruct expected values, so it is shown for visible checks only.
"""

from __future__ import annotations

import re

from grader.core.compare import Mismatch, Tolerances
from grader.core.evidence import Evidence, Hint, Rule
from grader.core.observations import Observations, Raised
from grader.core.rules_context import (
    changed_in_place,
    computed_along_another_dim,
    function_not_applied,
    gradients_accumulated,
    memory_sharing,
    parameters_not_stepped,
)
from grader.core.rules_layout import blocks_permuted, dimension_off_by_one, tensor_or_number, transposed, wrong_dtype
from grader.core.rules_patterns import (
    cut_short,
    diagonal_off_by_one,
    normalised_along_another_dim,
    shifted_by_one,
    softmax_temperature,
)
from grader.core.rules_values import (
    constant_factor,
    gradient_missing,
    off_by_one,
    overflow,
    swapped_keys,
    true_division,
    zeros_expected,
)

# The part of an exception's message searched for a known one: PyTorch's messages say it in their first lines.
MAX_MESSAGE = 10_000


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
            hint = _tried(rule, evidence)
            if hint is not None:
                return hint.render(mismatch.key, hidden)
    return ""


def _tried(rule: Rule, evidence: Evidence) -> Hint | None:
    """The rule's hint; None if it fails on observations it did not foresee (the check keeps its verdict)."""
    try:
        return rule(evidence)
    except Exception:  # noqa: BLE001 - a diagnosis is a bonus: no learner value may turn it into an error
        return None


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
    memory_sharing,
    changed_in_place,
    wrong_dtype,
    tensor_or_number,
    computed_along_another_dim,
    transposed,
    dimension_off_by_one,
    cut_short,
    overflow,
    normalised_along_another_dim,
    softmax_temperature,
    diagonal_off_by_one,
    shifted_by_one,
    blocks_permuted,
    off_by_one,
    true_division,
    swapped_keys,
    constant_factor,
    zeros_expected,
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
        "a tensor that requires grad was changed in place: update parameters inside `with torch.no_grad():` "
        "(or let optimizer.step() do it); an input of yours, compute a new tensor (x = x - m) instead of x -= m.",
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
    (
        r"view size is not compatible with input tensor's size and stride",
        "view() needs a contiguous layout: after a transpose or permute, use .reshape(...) (or .contiguous().view()).",
    ),
    (
        r"shape '\[[\d, -]*\]' is invalid for input of size",
        "the target shape does not hold the tensor's elements: a size computed wrong (a formula off by one, "
        "a batch or channel size mixed up)?",
    ),
    (
        r"must be tuple of ints,\s*but got float",
        "a float where a whole-number size is expected: / where // (floor division) was meant, or a missing int()?",
    ),
    (
        r"The size of tensor a \(\d+\) must match the size of tensor b \(\d+\)",
        "two tensors whose sizes do not broadcast: one computed along another dimension (argmax or sum over the "
        "wrong dim=), or an operand that needs a transpose?",
    ),
    (
        r"random_ expects 'from' to be less than 'to'",
        "an empty range for torch.randint (its high end is excluded): is a + 1 missing, as in randint(0, n + 1)?",
    ),
    (
        r"stack expects each tensor to be equal size",
        "torch.stack needs items of one size: pad them (pad_sequence), or does a length let a short item through?",
    ),
    (
        r"Error\(s\) in loading state_dict",
        "the saved keys differ from the model's (see the missing and unexpected keys): a renamed attribute, a plain "
        "tensor attribute where register_buffer was meant, or a 'module.' prefix from a wrapper?",
    ),
)


def error_hint(message: object) -> str:
    """A hint for an exception PyTorch raises on a known mistake; "" for any other, or for a message that is no text."""
    try:
        if not isinstance(message, str):
            return ""
        text = str.__getitem__(message, slice(0, MAX_MESSAGE))  # a str subclass's own slicing is not trusted
        return next((hint for pattern, hint in ERROR_HINTS if re.search(pattern, text)), "")
    except Exception:  # noqa: BLE001 - whatever the learner raised, a hint is never an error of its own
        return ""
