"""Diagnoses: each known mistake, fed through a real check, gets its one-line hint; nothing else does.

Three layers: the mistake written into a copy of the solution and graded against the
reference (end to end, through the probe), each rule on hand-made observations, and
the terminal rendering of a failed check (hint, the learner's own output).
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest
import torch

from grader.core.compare import Tolerances, compare
from grader.core.diagnose import (
    Evidence,
    diagnose,
    error_hint,
    gradient_missing,
    gradients_accumulated,
    parameters_not_stepped,
)
from grader.core.plan import Planned
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
    "mean instead of batchmean (a number: n found in the probe's tensors)": (
        "ex05_losses",
        "kl_div_conventions",
        """
        def kl_div(input, target, reduction="mean", log_target=False):
            pointwise = target.exp() * (target - input) if log_target else torch.xlogy(target, target) - target * input
            if reduction in ("mean", "batchmean"):
                return pointwise.mean()
            return pointwise.sum() if reduction == "sum" else pointwise
        """,
        "'batchmean' looks like a mean instead of a sum, or a division by n too many (off by a factor of 1/",
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


@pytest.mark.parametrize(
    "actual, text",
    [
        (4 * T, "'t' looks like a sum instead of a mean, or a missing 1/n (off by a factor of 4, the number of"),
        (T / 4, "'t' looks like a mean instead of a sum, or a division by n too many (off by a factor of 1/4,"),
        (-T, "'t' has the sign flipped"),
        (T * 2 / 3, "is scaled by a ratio of counts: averaged over a different number of items"),
        (T * 1.37, "is the expected values times a constant: a factor lost or added (a scale, a learning rate)?"),
        (T * -5, "(off by a factor of 5; the sign is flipped too)"),
        (T * math.sqrt(4 / 5), "a biased vs unbiased std (correction=)? (off by a factor of sqrt(4/5))"),
    ],
    ids=["n", "1/n", "-1", "p/q", "other", "negative-n", "bessel"],
)
def test_a_constant_factor_is_named(actual, text):
    assert text in hint({"t": T}, {"t": actual})


def test_a_factor_names_the_size_it_matches():
    assert "off by a factor of 4, the size of dimension 0)" in hint(
        {"t": torch.tensor([[1.5, 2.0], [4.0, 0.5], [1.0, 3.0], [2.5, 7.0]])},
        {"t": 4 * torch.tensor([[1.5, 2.0], [4.0, 0.5], [1.0, 3.0], [2.5, 7.0]])},
    )
    loss = {"loss": 0.3742, "logits.grad": torch.ones(8, 3)}
    text = hint(loss, {**loss, "loss": 8 * 0.3742})
    assert "(off by a factor of 8, the size of dimension 0 of 'logits.grad')" in text


def test_a_constant_factor_never_fires_on_noise():
    torch.manual_seed(0)
    expected = torch.randn(50)
    for scale in (1e-3, 1e-2, 1e-1):
        assert hint({"t": expected}, {"t": 2 * expected + scale * torch.randn(50)}) == ""
    assert hint({"t": expected}, {"t": torch.randn(50)}) == ""


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
    assert hint({"t": T}, {"t": 4 * T}, hidden=True) == "'t' looks like a sum instead of a mean, or a missing 1/n"
    v = torch.tensor([1.0, 2.0, 3.0])
    text = "'v' has an extra dimension of size 1: keepdim=True, or an unsqueeze / None index too many?"
    assert hint({"v": v}, {"v": v[None]}, hidden=True) == text
    assert hint({"v": v}, {"v": v[None]}) == text + " (dimension 0; the values match once the shapes agree)"


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
