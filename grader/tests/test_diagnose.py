"""Diagnoses: each known mistake, fed through a real check, gets its one-line hint; nothing else does.

Four layers: the mistake written into a copy of the solution and graded against the
reference (end to end, through the probe; the known-mistake variants under
tests/variants/ serve as the mistakes where they exist), each rule on hand-made
observations or on a probe written here where no suite records what the rule needs,
the containment of rules and error hints, and the terminal rendering of a failed check.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest
import torch

from grader.core import diagnose as diagnose_module
from grader.core.compare import Tolerances, compare
from grader.core.diagnose import diagnose, error_hint
from grader.core.evidence import Evidence, is_grad_key
from grader.core.plan import Planned
from grader.core.rules_context import gradients_accumulated, parameters_not_stepped
from grader.core.rules_values import constant_factor, gradient_missing
from grader.core.references import References
from grader.core.session import Session, Target
from grader.core.suites import Registry, load_suite
from grader.run.executor import ForkExecutor
from grader.core.observations import Raised, normalise
from grader.core.results import CheckResult, Submission
from grader.learner.terminal import render
from grader.tests.conftest import COURSE, ROOT

REFERENCES = References(COURSE.solutions)


def grade_mistake(tmp_path: Path, exercise: str, check_name: str, code: str) -> CheckResult:
    """Grade one check on the solution with `code` appended: it redefines only what it gets wrong."""
    solution = (ROOT / "solutions" / f"{exercise}.py").read_text()
    (tmp_path / f"{exercise}.py").write_text(f"{solution}\n\n{textwrap.dedent(code)}")
    checks = load_suite(COURSE.suite(exercise))
    check = next(c for c in checks if c.name == check_name)
    session = Session(Target("mistake", tmp_path), REFERENCES, ForkExecutor(Registry(checks)))
    return session.grade([Planned(check, "cpu")])[0]


def hint(expected: dict, actual: dict, hidden: bool = False) -> str:
    want, got = normalise(expected), normalise(actual)
    return diagnose(compare(want, got), want, got, Tolerances(), hidden)


# --- end to end: a mistake in a learner module, graded through the real probe ----------------


MISTAKES = {
    "gradient None (.data)": (
        "ex03_modules",
        "my_linear_gradients_reach_parameters",
        """
        class MyLinear(nn.Module):
            def __init__(self, in_units, units):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(in_units, units))
                self.bias = nn.Parameter(torch.randn(units))

            def forward(self, X):
                return torch.relu(X @ self.weight.data + self.bias.data)
        """,
        "'weight.grad' is None: no gradient reached it. Did .data, .detach()",
    ),
    "gradient all zero": (
        "ex02_autograd",
        "double_square_grad_at_arange",
        """
        def double_square_grad(x):
            (2 * torch.dot(x, x)).backward()
            grad = x.grad
            x.grad.zero_()  # tidying up for the next call
            return grad
        """,
        "'grad' is all zeros: did .data or .detach() cut the graph",
    ),
    "sum instead of mean": (
        "ex02_autograd",
        "mean_of_squares_at_2_3",
        """
        def mean_of_squares_grad(x):
            (3 * (x + 2) ** 2).sum().backward()
            return x.grad
        """,
        "'grad' looks like a sum instead of a mean, or a missing 1/n (off by a factor of 2, the number of elements)",
    ),
    "mean instead of batchmean (the loss leaves the name to its gradient, the same factor over many values)": (
        "ex05_losses",
        "kl_div_conventions",
        """
        def kl_div(input, target, reduction="mean", log_target=False):
            pointwise = target.exp() * (target - input) if log_target else torch.xlogy(target, target) - target * input
            if reduction in ("mean", "batchmean"):
                return pointwise.mean()
            return pointwise.sum() if reduction == "sum" else pointwise
        """,
        "'batchmean: input.grad' looks like a mean instead of a sum, or a division by n too many (off by a factor of 1/",
    ),
    "biased std": (
        "ex01_tensors",
        "column_statistics",
        """
        def column_stats(x):
            largest, where = x.max(dim=0)
            return x.mean(dim=0), x.std(dim=0, correction=0), largest, where
        """,
        (
            "'std' looks like n where n - 1 was meant, or the reverse: a biased vs unbiased std (correction=)? "
            "(off by a factor of sqrt(2/3))"
        ),
    ),
    "transposed": (
        "ex10_metrics",
        "confusion_matrix_hand_made",
        """
        def confusion_matrix(pred, target, num_classes):
            flat = predicted_labels(pred) * num_classes + target
            return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)
        """,
        (
            "'confusion_matrix' is the expected result with its dimensions swapped: a missing or extra transpose? "
            "(your result.T matches)"
        ),
    ),
    "keepdim": (
        "ex01_tensors",
        "column_statistics",
        """
        def column_stats(x):
            largest, where = x.max(dim=0)
            return x.mean(dim=0, keepdim=True), x.std(dim=0), largest, where
        """,
        (
            "'mean' has an extra dimension of size 1: keepdim=True, or an unsqueeze / None index too many? "
            "(dimension 0; the values match once the shapes agree)"
        ),
    ),
    "dtype": (
        "ex01_tensors",
        "tensor_from_nested_list",
        """
        def tensor_from_list(rows):
            return torch.tensor(rows, dtype=torch.int64)
        """,
        "has an integer dtype where float32 is expected",
    ),
    "overflow": (
        "ex05_losses",
        "cross_entropy_large_logits",
        """
        def cross_entropy(logits, target, weight=None, ignore_index=-100):
            keep = target != ignore_index
            safe_target = torch.where(keep, target, torch.zeros_like(target))
            log_probs = logits - torch.log(torch.exp(logits).sum(dim=1, keepdim=True))
            nll = -log_probs.gather(1, safe_target.unsqueeze(1)).squeeze(1)
            w = (weight[safe_target] if weight is not None else torch.ones_like(nll)) * keep
            return (w * nll).sum() / w.sum()
        """,
        "exp() overflowed (subtract the max, use torch.logsumexp)",
    ),
    "function not applied": (
        "ex03_modules",
        "centered_layer_subtracts_the_mean",
        """
        class CenteredLayer(nn.Module):
            def forward(self, X):
                return X
        """,
        "'[1, 2, 3, 4, 5]' equals its input: was the function applied",
    ),
    "missing optimizer.step() (ex02)": (
        "ex02_autograd",
        "one_sgd_step",
        """
        def minimise_product(steps=100, lr=0.01):
            x = torch.tensor([1.0, 2.0], requires_grad=True)
            optimizer = torch.optim.SGD([x], lr=lr)
            for _ in range(steps):
                optimizer.zero_grad()
                ((x[0] + 2) * (x[1] + 2)).backward()
            return x.detach()
        """,
        "'x' did not change in the step: is optimizer.step() missing",
    ),
    "missing optimizer.step() (ex09)": (
        "ex09_training",
        "train_one_epoch_matches_reference",
        """
        def train_one_epoch(model, loader, optimizer, criterion, device):
            model.train()
            total, count = 0.0, 0
            for inputs, targets in loader:
                optimizer.zero_grad()
                loss = criterion(model(inputs.to(device)), targets.to(device))
                loss.backward()
                total += loss.item() * inputs.shape[0]
                count += inputs.shape[0]
            return total / count
        """,
        "'parameters.0.weight' did not change in the step: is optimizer.step() missing",
    ),
    "update never written back (ex06)": (
        "ex06_optimizers",
        "sgd_plain_steps",
        """
        def sgd_step(params, grads, state, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
            for p, g in zip(params, grads):
                p.clone().sub(lr * g)  # the result is dropped
            return [p.clone() for p in params], {}
        """,
        "'step 1.params[0]' did not change in the step",
    ),
    "missing zero_grad (ex02)": (
        "ex02_autograd",
        "hundred_sgd_steps",
        """
        def minimise_product(steps=100, lr=0.01):
            x = torch.tensor([1.0, 2.0], requires_grad=True)
            optimizer = torch.optim.SGD([x], lr=lr)
            for _ in range(steps):
                ((x[0] + 2) * (x[1] + 2)).backward()
                optimizer.step()
            return x.detach()
        """,
        (
            "'x after 2 steps' moved too far in its last step: were the previous step's gradients added in? "
            "Is optimizer.zero_grad() missing? (2.01 times the expected change)"
        ),
    ),
    "missing zero_grad (ex09)": (
        "ex09_training",
        "train_one_epoch_matches_reference",
        """
        def train_one_epoch(model, loader, optimizer, criterion, device):
            model.train()
            total, count = 0.0, 0
            for inputs, targets in loader:
                loss = criterion(model(inputs.to(device)), targets.to(device))
                loss.backward()
                optimizer.step()
                total += loss.item() * inputs.shape[0]
                count += inputs.shape[0]
            return total / count
        """,
        "'after a second epoch of one batch.0.weight' moved too far in its last step",
    ),
    "a tensor where a number is expected": (
        "ex09_training",
        "train_one_epoch_matches_reference",
        """
        def train_one_epoch(model, loader, optimizer, criterion, device):
            model.train()
            total, count = 0.0, 0
            for inputs, targets in loader:
                optimizer.zero_grad()
                loss = criterion(model(inputs.to(device)), targets.to(device))
                loss.backward()
                optimizer.step()
                total += loss * inputs.shape[0]
                count += inputs.shape[0]
            return total / count
        """,
        "'loss' is a tensor where a Python number is expected: .item()",
    ),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_known_mistake_gets_its_hint(mistake, tmp_path):
    exercise, check_name, code, text = MISTAKES[mistake]
    result = grade_mistake(tmp_path, exercise, check_name, code)
    assert result.status == "failed", result.message
    assert text in result.diagnosis


# Known-mistake variants (tests/variants/<exercise>/<name>.py) through one of the checks that catch them.
VARIANT_HINTS = {
    "one step early, a list (lr[i])": (
        "ex07_schedulers/schedule_shifted_by_one",
        "step_lr_matches_torch",
        "'lr' is the expected values shifted by one position: off by one",
    ),
    "one step late, a tensor": (
        "ex08_data/drops_last_window",
        "time_series_indexing_like_a_list",
        "'ds[-1] targets' is the expected values shifted by one position: off by one",
    ),
    "the last window missing": (
        "ex08_data/drops_last_window",
        "time_series_random",
        "'inputs' lacks one element at an end: off by one",
    ),
    "every count one less": (
        "ex13_layers/output_shape_missing_plus_one",
        "conv_output_shape_formula",
        "is one less than expected, as is every count this check gets wrong: off by one",
    ),
    "truncated to the shortest": (
        "ex08_data/collate_truncates",
        "pad_collate_pads_and_keeps_lengths",
        "'padded' is the expected result cut short: a loop or slice that stops early",
    ),
    "/ for //": (
        "ex13_layers/output_shape_without_floor",
        "conv_output_shape_formula",
        "is a fraction where a whole number is expected: / where // (floor division) was meant",
    ),
    "a mask's diagonal off by one": (
        "ex17_attention/causal_mask_sees_the_future",
        "causal_mask_shapes_and_values",
        "is a triangular mask with its diagonal off by one",
    ),
    "softmax over the queries": (
        "ex17_attention/softmax_over_queries",
        "attention_matches_torch",
        "'weights (B, H, L, S)' sums to 1 along another dimension than the expected result",
    ),
    "scores divided by E, not √E": (
        "ex17_attention/scaled_by_d",
        "attention_masks_of_every_kind",
        "'causal: weights' is a softmax of scores scaled differently (a temperature)",
    ),
    "centred per column, not as a whole (given context)": (
        "ex03_modules/counting_and_centering_slips",
        "centered_layer_subtracts_the_mean",
        "'3x4 matrix' was computed along another dimension than the expected result",
    ),
    "reshape for permute, same shape": (
        "ex08_data/image_reshaped_not_permuted",
        "to_tensor_layout_and_scale",
        "has the expected values in the expected shape, scrambled: reshape or view where permute was meant?",
    ),
    "pixels not divided by 255": (
        "ex08_data/image_not_scaled",
        "to_tensor_layout_and_scale",
        "is 255 times the expected values, or 1/255 of them",
    ),
    "a hinge missing": (
        "ex05_losses/triplet_without_hinge",
        "triplet_margin_loss_cases",
        "'default.anchor.grad' is right except where zeros are expected",
    ),
    "padding_idx ignored": (
        "ex13_layers/embedding_ignores_padding",
        "embedding_lookup_and_padding",
        "'padding_idx=2: weight.grad' is right except where zeros are expected",
    ),
    "precision and recall swapped": (
        "ex10_metrics/transposed_confusion_matrix",
        "precision_recall_f1_per_class",
        "'precision' and 'recall' hold each other's values: swapped",
    ),
    "a shape written out, dimensions swapped": (
        "ex13_layers/lstm_state_batch_first",
        "lstm_shapes_match_nn_lstm",
        "is the expected shape with its dimensions swapped",
    ),
    "ignored targets counted (ratio of counts against the batch size)": (
        "ex05_losses/ignored_targets_in_the_mean",
        "cross_entropy_ignore_index",
        "is scaled by a ratio of counts: averaged over a different number of items",
    ),
    "a state_dict that does not load": (
        "ex03_modules/buffers_as_plain_attributes",
        "complex_model_loads_weights",
        "a plain tensor attribute where register_buffer was meant",
    ),
    "randint's excluded high end": (
        "ex15_augmentation/crop_params_without_plus_one",
        "random_crop_params_and_padding",
        "an empty range for torch.randint (its high end is excluded): is a + 1 missing",
    ),
    "a size that is a float": (
        "ex13_layers/output_shape_without_floor",
        "conv2d_worked_example",
        "a float where a whole-number size is expected",
    ),
    "a size one too small, reshaped": (
        "ex13_layers/output_shape_missing_plus_one",
        "conv2d_worked_example",
        "the target shape does not hold the tensor's elements",
    ),
    "argmax over the batch": (
        "ex10_metrics/argmax_wrong_dim",
        "accuracy_from_logits",
        "two tensors whose sizes do not broadcast: one computed along another dimension",
    ),
    "view after a transpose": (
        "ex01_tensors/shape_slips",
        "reshape_flatten_unsqueeze_transpose",
        "view() needs a contiguous layout",
    ),
}


def grade_variant(tmp_path: Path, variant: str, check_name: str) -> CheckResult:
    exercise = variant.partition("/")[0]
    return grade_mistake(tmp_path, exercise, check_name, (COURSE.variants / f"{variant}.py").read_text())


@pytest.mark.parametrize("mistake", list(VARIANT_HINTS))
def test_a_known_mistake_variant_gets_its_hint(mistake, tmp_path):
    variant, check_name, text = VARIANT_HINTS[mistake]
    result = grade_variant(tmp_path, variant, check_name)
    assert result.status in ("failed", "error"), result.message
    assert text in result.diagnosis


def test_a_momentum_used_as_one_minus_momentum_is_no_sum_for_a_mean(tmp_path):
    """Running mean 0.75·x for 0.25·x: off by 3, the number of features, but no mean over features was taken."""
    result = grade_variant(tmp_path, "ex13_layers/batchnorm_momentum_reversed", "batchnorm_training_updates_running_stats")
    assert result.status == "failed"
    assert "sum instead of a mean" not in result.diagnosis and "number of elements" not in result.diagnosis


def test_an_error_with_a_known_message_gets_a_hint(tmp_path):
    code = """
    def double_square_grad(x):
        y = 2 * torch.dot(x.detach(), x.detach())
        y.backward()
        return x.grad
    """
    result = grade_mistake(tmp_path, "ex02_autograd", "double_square_grad_at_arange", code)
    assert result.status == "error"
    assert result.diagnosis.startswith("backward() on a result without a graph")


def test_a_hidden_check_gets_the_hint_without_its_numbers(tmp_path):
    code = """
    def mean_of_squares_grad(x):
        (3 * (x + 2) ** 2).sum().backward()
        return x.grad
    """
    result = grade_mistake(tmp_path, "ex02_autograd", "mean_of_squares_random", code)
    assert result.hidden and result.status == "failed"
    assert result.diagnosis == "'grad' looks like a sum instead of a mean, or a missing 1/n"


@pytest.mark.parametrize(
    "code",
    [
        "def mean_of_squares_grad(x):\n    raise ValueError('my own bug')\n",
        "def mean_of_squares_grad(x):\n    return torch.tensor([12.5, 14.0])\n",
    ],
    ids=["unrelated-error", "wrong-values"],
)
def test_an_unrelated_failure_gets_no_hint(code, tmp_path):
    result = grade_mistake(tmp_path, "ex02_autograd", "mean_of_squares_at_2_3", code)
    assert result.status in ("failed", "error")
    assert result.diagnosis == ""


def test_a_correct_answer_gets_no_hint(tmp_path):
    result = grade_mistake(tmp_path, "ex02_autograd", "hundred_sgd_steps", "")
    assert (result.status, result.diagnosis) == ("passed", "")


# --- each rule on hand-made observations --------------------------------------------


def test_gradient_none_and_all_zero():
    assert "is None: no gradient reached it" in hint({"x.grad": torch.ones(3)}, {"x.grad": None})
    assert "is all zeros" in hint({"weight.grad": torch.ones(2, 2)}, {"weight.grad": torch.zeros(2, 2)})
    # Not a gradient key, or a gradient that is zero in the reference too: no gradient hint.
    assert "no gradient" not in hint({"out": torch.ones(3)}, {"out": None})
    assert hint({"x.grad": torch.zeros(3)}, {"x.grad": None}) == ""
    assert hint({"x.requires_grad": True}, {"x.requires_grad": False}) == ""


def evidence(expected: dict, actual: dict) -> Evidence:
    want, got = normalise(expected), normalise(actual)
    return Evidence(compare(want, got)[0], want, got)


def test_each_rule_returns_nothing_on_evidence_it_does_not_know():
    unrelated = evidence({"x.grad": torch.ones(3)}, {"x.grad": torch.tensor([1.0, 2.0, 0.5])})
    assert gradient_missing(unrelated) is None
    assert parameters_not_stepped(unrelated) is None  # no start/previous context
    assert gradients_accumulated(unrelated) is None


def test_unchanged_since_the_start_is_a_missing_step():
    start = torch.tensor([1.0, 2.0])
    text = hint({"x": torch.tensor([0.96, 1.97]), "start": {"x": start}}, {"x": start.clone(), "start": {"x": start}})
    assert text.startswith("'x' did not change in the step: is optimizer.step() missing")
    # The reference did not move either: the difference is elsewhere.
    assert hint({"x": start, "y": 1.0, "start": {"x": start}}, {"x": start, "y": 2.0, "start": {"x": start}}) == ""


def test_twice_the_last_step_is_a_missing_zero_grad():
    before = torch.tensor([1.0, -2.0, 0.5])
    step = torch.tensor([0.1, 0.3, -0.2])
    expected = {"w": before - step, "previous": {"w": before}}
    twice = before - 2 * step
    assert "Is optimizer.zero_grad() missing? (2 times" in hint(expected, {"w": twice, "previous": {"w": before}})
    # Twice as far from the start (a doubled learning rate) is not accumulation: that needs a step before.
    first_step = {"w": before - step, "start": {"w": before}}
    assert "zero_grad" not in hint(first_step, {"w": twice, "start": {"w": before}})
    # Three times, or twice with noise on top, is not the signature.
    assert "zero_grad" not in hint(expected, {"w": before - 3 * step, "previous": {"w": before}})
    noisy = before - 2 * step + torch.tensor([0.2, -0.3, 0.25])
    assert "zero_grad" not in hint(expected, {"w": noisy, "previous": {"w": before}})


def test_equal_to_the_input_is_a_function_not_applied():
    x = torch.tensor([1.0, 2.0, 3.0])
    text = hint({"out": x - 2, "given": {"out": x}}, {"out": x.clone(), "given": {"out": x}})
    assert text == "'out' equals its input: was the function applied, or the input returned unchanged?"
    assert hint({"out": x - 2, "given": {"out": x}}, {"out": x + 1, "given": {"out": x}}) == ""


T = torch.tensor([1.5, 2.0, 4.0, 0.7])
FIVE = torch.tensor([1.5, 2.0, 4.0, 0.7, 3.1])


@pytest.mark.parametrize(
    "expected, actual, text",
    [
        (T, 4 * T, "'t.grad' looks like a sum instead of a mean, or a missing 1/n (off by a factor of 4, the number of"),
        (T, T / 4, "'t.grad' looks like a mean instead of a sum, or a division by n too many (off by a factor of 1/4,"),
        (T, -T, "'t.grad' has the sign flipped"),
        (T, T * 3 / 4, "looks like n where n - 1 was meant, or the reverse: a biased vs unbiased variance (correction=)? "
                       "(off by a factor of 3/4, n the number of elements)"),
        (T, T * 1.37, "is the expected values times a constant: a scale or normaliser lost or added"),
        (FIVE, FIVE * -5, "(off by a factor of 5, the number of elements; the sign is flipped too)"),
        (T, T * math.sqrt(4 / 5), "a biased vs unbiased std (correction=)? (off by a factor of sqrt(4/5))"),
    ],
    ids=["n", "1/n", "-1", "n-1/n", "other", "negative-n", "bessel"],
)
def test_a_constant_factor_is_named(expected, actual, text):
    assert text in hint({"t.grad": expected}, {"t.grad": actual})


def test_a_factor_names_the_size_it_matches():
    m = torch.tensor([[1.5, 2.0], [4.0, 0.5], [1.0, 3.0], [2.5, 7.0]])
    assert "off by a factor of 4, the size of dimension 0)" in hint({"x.grad": m}, {"x.grad": 4 * m})
    loss = {"loss": 0.3742, "logits.grad": torch.ones(8, 3)}
    text = hint(loss, {**loss, "loss": 8 * 0.3742})
    assert "(off by a factor of 8, the size of dimension 0 of 'logits.grad')" in text
    # A per-feature statistic: its n is what a mean over the batch divides by, the dimensions reduced away.
    batch = torch.randn(6, 3)
    stats = {"running_mean": batch.mean(0), "output": batch}
    text = hint(stats, {**stats, "running_mean": 6 * batch.mean(0)})
    assert "sum instead of a mean, or a missing 1/n (off by a factor of 6, the count 'output' has beyond" in text


def test_a_factor_no_count_explains_is_no_sum_for_a_mean():
    """BatchNorm's momentum 0.25 used as 0.75: the running mean is 3 times the expected, 3 features, batch of 6."""
    torch.manual_seed(0)
    batch = torch.randn(6, 3)
    expected = {"output": batch, "running_mean after batch 0": 0.25 * batch.mean(0)}
    actual = {**expected, "running_mean after batch 0": 0.75 * batch.mean(0)}
    assert hint(expected, actual) == ""
    # Nor a generic "times a constant": 3 is a simple number, as likely a coincidence as a cause.
    assert hint({"v": T}, {"v": 3 * T}) == hint({"v": T}, {"v": T / 2}) == ""


def test_pixels_in_0_255():
    image = torch.tensor([[0.2, 0.4], [1.0, 0.0]])
    assert "pixels in 0…255 where 0…1 is expected" in hint({"image": image}, {"image": 255 * image})


@pytest.mark.parametrize("seed", range(8))
def test_a_ratio_of_counts_gets_one_name_whatever_the_seed(seed):
    """Ignored targets still counted: the factor is kept/n, whatever the batch makes of it (4/6, 11/14, ...)."""
    generator = torch.Generator().manual_seed(seed)
    n = int(torch.randint(5, 17, (1,), generator=generator))
    logits = torch.randn(n, 4, generator=generator)
    target = torch.randint(0, 4, (n,), generator=generator)
    target[torch.randperm(n, generator=generator)[: int(torch.randint(1, n - 1, (1,), generator=generator))]] = -100

    def observe(mean_over_all: bool) -> dict:
        x = logits.clone().requires_grad_(True)
        losses = torch.nn.functional.cross_entropy(x, target, reduction="none", ignore_index=-100)
        loss = losses.sum() / (n if mean_over_all else int((target != -100).sum()))
        loss.backward()
        return {"loss": loss.item(), "logits.grad": x.grad}

    expected, mistaken = observe(False), observe(True)
    # The loss alone (one number) leaves the name to its gradient, which shows the same factor over many values.
    assert hint(expected, mistaken, hidden=True) == (
        "'logits.grad' is scaled by a ratio of counts: averaged over a different number of items "
        "(ignored items counted, or n - 1 for n)?"
    )


@pytest.mark.parametrize("seed", range(8))
def test_a_momentum_mix_up_gets_no_name_on_any_seed(seed):
    """Momentum m used as 1 - m: off by (1 - m)/m, here also the number of features. Never a sum for a mean.

    The batch is drawn of any other size: a batch of exactly (1 - m)/m items would make one
    observation of a sum over the batch and of this mix-up the same; BatchNorm's check tells them
    apart by its later batches, where the mix-up is no constant factor at all.
    """
    generator = torch.Generator().manual_seed(seed)
    momentum = (0.1, 0.25, 0.2, 0.125)[seed % 4]
    features = round((1 - momentum) / momentum)
    rows = [n for n in range(2, 13) if n != features][int(torch.randint(0, 10, (1,), generator=generator))]
    batch = torch.randn(rows, features, generator=generator)
    expected = {"output": batch, "running_mean": momentum * batch.mean(0)}
    mistaken = {**expected, "running_mean": (1 - momentum) * batch.mean(0)}
    assert hint(expected, mistaken) == hint(expected, mistaken, hidden=True) == ""


def test_a_constant_factor_never_fires_on_noise():
    torch.manual_seed(0)
    expected = torch.randn(50)
    for scale in (1e-3, 1e-2, 1e-1):
        assert hint({"t.grad": expected}, {"t.grad": 2 * expected + scale * torch.randn(50)}) == ""
    assert hint({"t.grad": expected}, {"t.grad": torch.randn(50)}) == ""


def test_one_number_in_a_ratio_to_another_says_little():
    # No tensor with a size of 2 in the probe, or values that are counts themselves: no hint.
    assert hint({"loss": 0.3742}, {"loss": 0.7484}) == ""
    assert hint({"accuracy": 1.0, "x": torch.ones(2)}, {"accuracy": 0.5, "x": torch.ones(2)}) == ""
    assert hint({"epochs run": 9}, {"epochs run": 4}) == ""
    assert hint({"lr": 0.05}, {"lr": 0.05 * 1.37}) == ""


def test_transposed_and_permuted_results():
    m = torch.arange(6.0).reshape(2, 3)
    assert "(your result.T matches)" in hint({"m": m}, {"m": m.T.contiguous()})
    square = torch.arange(9.0).reshape(3, 3)
    assert "(your result.T matches)" in hint({"m": square}, {"m": square.T.contiguous()})
    cube = torch.arange(24.0).reshape(2, 3, 4)
    assert "(your result.permute(2, 0, 1) matches)" in hint({"c": cube}, {"c": cube.permute(1, 2, 0).contiguous()})
    image = torch.arange(24.0).reshape(2, 3, 4)
    assert "reshape or view where permute was meant" in hint({"c": image}, {"c": image.reshape(3, 4, 2)})
    assert hint({"m": m}, {"m": torch.rand(3, 2)}) == ""


def test_a_dimension_too_many_or_too_few():
    v = torch.tensor([1.0, 2.0, 3.0])
    assert "extra dimension of size 1" in hint({"v": v}, {"v": v[None]})
    assert "lacks a dimension of size 1" in hint({"v": v[:, None]}, {"v": v})
    assert "extra dimension: is a sum or mean over it missing? (dimension 0, of size 4)" in hint(
        {"v": v}, {"v": v.expand(4, 3).contiguous()}
    )
    assert "lacks a dimension: reduced over one dimension too many?" in hint({"v": v.expand(4, 3).clone()}, {"v": v})
    assert hint({"v": v}, {"v": torch.ones(2, 2)}) == ""


def test_dtypes_get_the_usual_cause():
    assert "is float64" in hint({"t": torch.ones(2)}, {"t": torch.ones(2, dtype=torch.float64)})
    assert "integer dtype where float32" in hint({"t": torch.ones(2)}, {"t": torch.ones(2, dtype=torch.int64)})
    assert "floating dtype where int64" in hint({"t": torch.ones(2, dtype=torch.int64)}, {"t": torch.ones(2)})
    assert "bool tensor" in hint({"t": torch.ones(2, dtype=torch.bool)}, {"t": torch.ones(2)})
    assert hint({"t": torch.ones(2, dtype=torch.float64)}, {"t": torch.ones(2)}) == ""


def test_numbers_and_tensors():
    assert ".item()" in hint({"loss": 0.5}, {"loss": torch.tensor(0.5)})
    assert "no .item()" in hint({"loss": torch.tensor(0.5)}, {"loss": 0.5})


def test_non_finite_values_name_their_likely_cause():
    finite = torch.tensor([1.0, 2.0, 3.0])
    assert "overflowed to inf: exp() of a large value" in hint({"t": finite}, {"t": torch.tensor([1.0, math.inf, 3.0])})
    assert "has -inf: log(0)?" in hint({"t": finite}, {"t": torch.tensor([-math.inf, 2.0, 3.0])})
    assert "has NaN: 0 / 0" in hint({"t": finite}, {"t": torch.tensor([1.0, math.nan, 3.0])})
    assert hint({"t": torch.tensor([math.nan])}, {"t": torch.tensor([0.0])}) == ""
    # NaN where the reference is inf (a NaN input kept where a start value belongs) is no arithmetic overflow.
    assert "0 / 0" not in hint({"best": torch.tensor([math.inf])}, {"best": torch.tensor([math.nan])})


def test_an_exception_in_place_of_a_value_and_error_messages():
    raised = Raised("RuntimeError", "grad can be implicitly created only for scalar outputs")
    assert "backward() needs a scalar" in hint({"g": torch.ones(2)}, {"g": raised})
    assert error_hint("mat1 and mat2 shapes cannot be multiplied (4x3 and 4x3)").startswith("the inner sizes")
    assert error_hint("expected scalar type Float but found Double").startswith("float32 and float64 mixed")
    assert error_hint("list index out of range") == ""


def test_the_first_mismatch_with_a_signature_wins_and_names_its_key():
    expected = {"a": torch.tensor([1.0, 2.0, 3.0]), "b": torch.tensor([1.0, 2.0]), "c.grad": torch.ones(2)}
    actual = {"a": torch.tensor([1.0, 5.0, 3.5]), "b": torch.ones(1, 2), "c.grad": None}
    assert hint(expected, actual).startswith("'b' has an extra dimension")


def test_hidden_hints_leave_out_every_number():
    text = "'t.grad' looks like a sum instead of a mean, or a missing 1/n"
    assert hint({"t.grad": T}, {"t.grad": 4 * T}, hidden=True) == text
    v = torch.tensor([1.0, 2.0, 3.0])
    text = "'v' has an extra dimension of size 1: keepdim=True, or an unsqueeze / None index too many?"
    assert hint({"v": v}, {"v": v[None]}, hidden=True) == text
    assert hint({"v": v}, {"v": v[None]}) == text + " (dimension 0; the values match once the shapes agree)"


# --- context observations: a probe written here, on a reference and a mistaken implementation ------------


def observe(probe, implementation) -> dict:
    return normalise(probe(implementation))


def probe_hint(probe, reference, mistaken, hidden: bool = False) -> str:
    want, got = observe(probe, reference), observe(probe, mistaken)
    return diagnose(compare(want, got), want, got, Tolerances(), hidden)


def copy_of_grad(x: torch.Tensor) -> torch.Tensor:
    return x.grad.clone()


def grad_itself(x: torch.Tensor) -> torch.Tensor:
    return x.grad


def grad_probe(take) -> dict:
    """`after`: the result again once the probe has changed the tensor it came from."""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    grad = take(x)
    kept = grad.clone()
    x.grad.add_(100.0)
    return {"grad": kept, "after": {"grad": grad.clone()}}


def test_a_result_that_shares_memory_with_its_input():
    text = probe_hint(grad_probe, copy_of_grad, grad_itself)
    assert text.startswith("'grad' changed when its input was changed afterwards: it shares memory with the input")
    assert probe_hint(grad_probe, copy_of_grad, copy_of_grad) == ""


def test_a_copy_where_shared_memory_was_meant():
    text = probe_hint(grad_probe, grad_itself, copy_of_grad)
    assert text.startswith("'grad' did not follow its input when the input was changed afterwards: a copy where shared")


def sgd_pure(params: list[torch.Tensor], lr: float) -> list[torch.Tensor]:
    return [p - lr * p.grad for p in params]


def sgd_in_place(params: list[torch.Tensor], lr: float) -> list[torch.Tensor]:
    with torch.no_grad():
        for p in params:
            p.sub_(lr * p.grad)
    return params


def step_probe(step) -> dict:
    """`given`: the input before the call; `input`: the same input as the call left it."""
    p = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    p.grad = torch.tensor([0.5, 0.25, -1.0])
    given = p.detach().clone()
    new = step([p], lr=0.1)[0]
    return {"new": new.detach().clone(), "given": {"new": given}, "input": {"new": p.detach().clone()}}


def test_an_input_changed_in_place():
    text = probe_hint(step_probe, sgd_pure, sgd_in_place)
    assert text.startswith("'new' changed its input in place")
    # The reverse: an update meant to happen in place that rebinds a new tensor instead.
    assert probe_hint(step_probe, sgd_in_place, sgd_pure).startswith("'new' left its input as it was")
    assert probe_hint(step_probe, sgd_pure, sgd_pure) == ""


def test_a_computation_along_another_dimension():
    x = torch.tensor([[1.0, 5.0, 2.0, 7.0], [3.0, 0.5, 8.0, 1.5], [6.0, 2.5, 4.0, 9.0]])
    expected = {"out": x.softmax(-1), "given": {"out": x}}
    text = hint(expected, {"out": x.softmax(0), "given": {"out": x}})
    assert "'out' was computed along another dimension than the expected result" in text
    assert "(the softmax over dimension 0; dimension 1 was meant)" in text
    centred = {"out": x - x.mean(), "given": {"out": x}}
    assert "(the subtracting the mean over dimension 0; every element was meant)" in hint(
        centred, {"out": x - x.mean(0), "given": {"out": x}}
    )
    assert "reduction, softmax or normalisation" in hint(
        {"m": x.argmax(1), "given": {"m": x}}, {"m": x.argmax(0), "given": {"m": x}}
    )
    # Another computation altogether, or no input recorded: nothing to say.
    assert hint(expected, {"out": x.sigmoid(), "given": {"out": x}}) == ""
    assert hint({"out": x.softmax(-1)}, {"out": x.softmax(0)}) == (
        "'out' sums to 1 along another dimension than the expected result: a softmax or normalisation over the wrong "
        "dim=? (yours along dimension 0, the expected along dimension 1)"
    )


# --- positions, counts, normalisation ------------------------------------------------


def test_values_shifted_by_one_position():
    series = torch.arange(10.0) * 1.5
    assert "(each value comes one step early)" in hint({"s": series[:-1]}, {"s": series[1:]})
    assert "(each value comes one step late)" in hint({"s": series[1:]}, {"s": series[:-1]})
    lrs = [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    early = {f"lr[{i}]": v for i, v in enumerate(lrs[1:] + [0.0001])}
    text = hint({f"lr[{i}]": v for i, v in enumerate(lrs)}, early)
    assert text.startswith("'lr' is the expected values shifted by one position: off by one")
    # Too few distinct values to tell a shift from a coincidence, or a shift that leaves the rest unexplained.
    assert hint({"s": torch.tensor([1.0, 1.0, 1.0, 5.0])}, {"s": torch.tensor([1.0, 1.0, 1.0, 1.0])}) == ""
    other = {"s": series[:-1], "noise": torch.tensor([1.0, 2.0, 3.0])}
    assert hint(other, {"s": series[1:], "noise": torch.tensor([1.5, 2.0, 3.0])}) == ""


def test_one_element_too_few_or_too_many():
    rows = torch.arange(12.0).reshape(6, 2)
    assert "lacks one element at an end: off by one" in hint({"r": rows}, {"r": rows[:-1]})
    assert "(dimension 0: 5 where 6 are expected, at the start)" in hint({"r": rows}, {"r": rows[1:]})
    assert "has one element too many at an end: off by one" in hint({"r": rows[:-1]}, {"r": rows})
    assert "cut short: a loop or slice that stops early" in hint({"r": rows}, {"r": rows[:3]})
    assert hint({"r": rows}, {"r": rows[:-1] + 1}) == ""
    # A history one epoch shorter because training stopped earlier: other values differ too, no off by one.
    story = {"train_loss": torch.tensor([3.0, 2.0, 1.5, 1.2]), "val_loss": torch.tensor([3.1, 2.2, 1.9, 2.0])}
    stopped = {"train_loss": torch.tensor([3.0, 2.0, 1.5]), "val_loss": torch.tensor([3.1, 2.4, 2.5])}
    assert hint(story, stopped) == ""


def test_every_count_one_off():
    expected = {"size=6": 2, "size=7": 3, "size=28": 28, "name": "conv"}
    assert "is one less than expected, as is every count this check gets wrong: off by one" in hint(
        expected, {**expected, "size=6": 1, "size=7": 2, "size=28": 27}
    )
    # Two counts (epochs run, best epoch) one off after another mistake: too few to tell.
    assert hint({"epochs run": 9, "best_epoch": 5}, {"epochs run": 8, "best_epoch": 4}) == ""
    # Labels in another order, three of them one off by chance: the list's other items are right.
    labels = {f"labels[{i}]": v for i, v in enumerate([0, 1, 4, 5, 2, 3])}
    assert hint(labels, {**labels, "labels[1]": 0, "labels[2]": 3, "labels[3]": 4}) == ""


def test_a_fraction_where_a_whole_number_is_expected():
    assert "/ where // (floor division) was meant" in hint({"positions": 2}, {"positions": 2.5})
    assert hint({"positions": 2}, {"positions": 4.5}) == ""
    assert hint({"ratio": 0.5}, {"ratio": 0.25}) == ""


def test_a_mask_diagonal_off_by_one():
    mask = torch.ones(4, 5, dtype=torch.bool).tril()
    text = hint({"mask": mask}, {"mask": torch.ones(4, 5, dtype=torch.bool).tril(1)})
    assert "diagonal off by one" in text and "(tril(..., diagonal=1) where diagonal=0 was meant)" in text
    assert "diagonal off by one" in hint({"mask": ~mask}, {"mask": ~torch.ones(4, 5, dtype=torch.bool).tril(-1)})
    assert hint({"mask": mask}, {"mask": torch.ones(4, 5, dtype=torch.bool).tril(2)}) == ""


def test_weights_normalised_along_another_dimension_or_tempered():
    scores = torch.tensor([[[0.3, 1.2, -0.7, 2.0], [1.1, -0.4, 0.9, 0.2], [0.5, 0.6, -1.5, 1.0]]])
    weights = scores.softmax(-1)
    assert "sums to 1 along another dimension" in hint({"w": weights}, {"w": scores.softmax(-2)})
    text = hint({"w": weights}, {"w": (scores / math.sqrt(2)).softmax(-1)})
    assert text.startswith("'w' is a softmax of scores scaled differently (a temperature)")
    assert "(your log-weights are 0.707 times the expected ones)" in text
    masked = scores.masked_fill(torch.ones(3, 4, dtype=torch.bool).tril().logical_not(), -math.inf)
    assert "temperature" in hint({"w": masked.softmax(-1)}, {"w": (masked / 2).softmax(-1)})
    assert hint({"w": weights}, {"w": (scores + torch.tensor([0.5, 0.0, 0.0, 0.1])).softmax(-1)}) == ""


def test_values_where_zeros_are_expected():
    grad = torch.tensor([[0.5, -0.2], [0.0, 0.0], [0.1, 0.3]])
    leaked = grad.clone()
    leaked[1] = torch.tensor([0.4, -0.1])
    assert "is right except where zeros are expected: a mask not applied" in hint({"g": grad}, {"g": leaked})
    assert hint({"g": grad}, {"g": leaked + 0.01}) == ""


def test_two_results_swapped():
    expected = {"precision": torch.tensor([0.5, 0.25, 0.8]), "recall": torch.tensor([0.4, 0.6, 0.7])}
    actual = {"precision": expected["recall"], "recall": expected["precision"]}
    assert hint(expected, actual) == (
        "'precision' and 'recall' hold each other's values: swapped (results returned in another order, "
        "or read from a transposed table)?"
    )
    # One way only, or keys of different calls: chance as often as not.
    assert hint(expected, {**expected, "precision": expected["recall"]}) == ""
    far = {"run 1.mean": expected["precision"], "run 2.mean": expected["recall"]}
    assert hint(far, {"run 1.mean": far["run 2.mean"], "run 2.mean": far["run 1.mean"]}) == ""


def gates(x: torch.Tensor, weight: torch.Tensor, order: str) -> torch.Tensor:
    """An LSTM's gate pre-activations, its weight's blocks read in `order` (PyTorch's is ifgo)."""
    blocks = dict(zip(order, weight.chunk(4)))
    return x @ torch.cat([blocks[g] for g in "ifgo"]).T


def test_blocks_in_another_order():
    torch.manual_seed(0)
    x, weight = torch.randn(3, 5), torch.randn(8, 5)
    text = probe_hint(lambda order: {"gates": gates(x, weight, order)}, "ifgo", "ifog")
    assert text.startswith("'gates' has the expected blocks in another order along one dimension")
    assert "(4 blocks along dimension 1; yours are the expected ones in the order (0, 1, 3, 2))" in text
    assert hint({"gates": gates(x, weight, "ifgo")}, {"gates": torch.randn(3, 8)}) == ""


def test_a_shape_written_as_text_with_its_dimensions_swapped():
    assert "is the expected shape with its dimensions swapped" in hint({"h_n": "(1, 4, 32)"}, {"h_n": "(4, 1, 32)"})
    assert hint({"h_n": "(1, 4, 32)"}, {"h_n": "(1, 4, 16)"}) == ""


# --- containment: no learner value turns a diagnosis into an error -------------------


class Hostile(str):
    def __getitem__(self, index):
        raise RuntimeError("no")

    def __contains__(self, item):
        raise RuntimeError("no")


@pytest.mark.parametrize(
    "message",
    [None, b"grad can be implicitly created only for scalar outputs", 42, ["backward"], Hostile("boom"), "x" * 10_000_000],
    ids=["none", "bytes", "int", "list", "hostile-str", "huge"],
)
def test_an_error_hint_never_raises(message):
    assert error_hint(message) == ""


def test_a_huge_message_is_read_from_its_start():
    assert error_hint("grad can be implicitly created only for scalar outputs" + "x" * 10_000_000).startswith(
        "backward() needs a scalar"
    )


def test_a_rule_that_fails_gives_no_hint_and_the_others_still_run(monkeypatch):
    def broken(evidence):
        raise ZeroDivisionError("a rule's own bug")

    monkeypatch.setattr(diagnose_module, "RULES", (broken, constant_factor))
    assert hint({"t.grad": T}, {"t.grad": 4 * T}).startswith("'t.grad' looks like a sum instead of a mean")
    monkeypatch.setattr(diagnose_module, "RULES", (broken,))
    assert hint({"t.grad": T}, {"t.grad": 4 * T}) == ""


def test_a_check_keeps_its_verdict_when_a_rule_fails(monkeypatch, tmp_path):
    def broken(evidence):
        raise ValueError("a rule's own bug")

    monkeypatch.setattr(diagnose_module, "RULES", (broken,))
    code = "def mean_of_squares_grad(x):\n    (3 * (x + 2) ** 2).sum().backward()\n    return x.grad\n"
    result = grade_mistake(tmp_path, "ex02_autograd", "mean_of_squares_at_2_3", code)
    assert (result.status, result.diagnosis) == ("failed", "")
    assert "'grad': 2 of 2 elements differ" in result.message


# --- terminal rendering ---------------------------------------------------------------


def failed(**fields) -> Submission:
    message = "'grad': 2 of 2 elements differ"
    result = CheckResult("ex02_autograd", "mean_of_squares_at_2_3", "failed", 0.0, 2.0, message)
    for name, value in fields.items():
        setattr(result, name, value)
    return Submission("exercises", [result])


def test_the_hint_and_the_learners_output_are_shown_under_the_failure():
    output = "\n".join([f"debug line {i}" for i in range(12)] + ["x" * 500])
    text = render(failed(diagnosis="'grad' looks like a sum instead of a mean", output=output), details=True)
    lines = text.splitlines()
    message = next(i for i, line in enumerate(lines) if "2 of 2 elements differ" in line)
    assert lines[message + 1].strip() == "hint: 'grad' looks like a sum instead of a mean"
    assert lines[message + 2].strip() == "your code printed:"
    assert "| debug line 0" in text and "| debug line 7" in text and "debug line 8" not in text
    assert "| … 5 more lines" in text


def test_a_long_printed_line_is_cut():
    text = render(failed(output="x" * 500), details=True)
    shown = next(line for line in text.splitlines() if "| x" in line)
    assert len(shown) < 200 and shown.endswith("…")


def test_plain_text_when_piped_and_colour_on_a_terminal():
    submission = failed(diagnosis="'grad' looks like a sum instead of a mean")
    assert "\x1b[" not in render(submission, details=True, color=False)
    coloured = render(submission, details=True, color=True)
    assert "\x1b[" in coloured and "hint: 'grad' looks like a sum instead of a mean" in coloured


@pytest.mark.parametrize(
    ("key", "is_gradient"),
    [
        ("grad", True),
        ("x.grad", True),
        ("weight.grad 0", True),
        ("rank 0 gradients.0.weight", True),
        ("grads[1]", False),
        ("a copy: momentum_buffer after the caller zeroes p.grad in place", False),
        ("gradient clipping norm", False),
    ],
)
def test_only_a_gradients_own_key_reads_as_a_gradient(key, is_gradient):
    """A sentence that names a gradient holds something else: "no gradient reached it" would mislead."""
    assert is_grad_key(key) is is_gradient


def test_one_item_of_a_list_is_no_factor_on_its_own():
    """A shuffled order: item 1 is 4 where 1 is expected, four items in the probe, by chance alone."""
    expected = {"order": [3, 1, 0, 2], "data": torch.zeros(4)}
    assert "sum instead of a mean" not in hint(expected, {"order": [2, 4, 0, 3], "data": torch.zeros(4)})
