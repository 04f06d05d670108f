"""Graded checks for ex05_losses, one section per loss.

Each probe builds its inputs, calls the learner's loss, calls backward and
returns the loss with the input's gradient; the harness compares them with the
reference solution. Where PyTorch has the same loss, the probe also computes it
with torch.nn.functional on the same inputs and observes whether the learner's
value agrees: the reference agrees, so that key checks the learner against
PyTorch itself. Each check forbids the torch function the loss re-implements.
"""

import torch
import torch.nn.functional as F
from torch import nn

from grader import Raised, capture, check, on_device

MSE = ("torch.nn.functional.mse_loss",)
CROSS_ENTROPY = ("torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss")
BCE = ("torch.nn.functional.binary_cross_entropy",)
BCE_LOGITS = ("torch.nn.functional.binary_cross_entropy_with_logits", "torch.binary_cross_entropy_with_logits")
KL_DIV = ("torch.nn.functional.kl_div", "torch.kl_div")
TRIPLET = (
    "torch.nn.functional.triplet_margin_loss",
    "torch.triplet_margin_loss",
    "torch.nn.functional.triplet_margin_with_distance_loss",
)


def _agrees(value, expected):
    """Whether the learner's value matches PyTorch's own function (same dtype and shape, close values)."""
    if type(value) is not torch.Tensor or value.dtype != expected.dtype or value.shape != expected.shape:
        return False
    return bool(torch.allclose(value.detach(), expected.detach(), rtol=1e-5, atol=1e-6))


def _loss_and_grad(fn, x, *args, **kwargs):
    """Call fn on a fresh leaf copy of x, backward through the result, return (loss, x.grad)."""
    x = x.detach().clone().requires_grad_(True)
    loss = fn(x, *args, **kwargs)
    loss.backward()
    return loss, x.grad


def _raises(fn, *args, **kwargs):
    """Whether the call raises (any exception: a dict lookup's KeyError is as good as a ValueError), or what it returned."""
    outcome = capture(fn, *args, **kwargs)
    return "raises" if isinstance(outcome, Raised) else f"returns {type(outcome).__name__}"


# --- mse_loss ------------------------------------------------------------------


@check(points=2, forbid=MSE)
def mse_loss_reductions(ex):
    """mean, sum and none of (input − target)²; the gradient of the mean is 2(input − target)/n."""
    x = torch.tensor([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]])
    y = torch.tensor([[1.0, 4.0, 1.0], [-0.5, 0.0, 1.0]])
    mean, grad = _loss_and_grad(ex.mse_loss, x, y)
    summed, sum_grad = _loss_and_grad(ex.mse_loss, x, y, reduction="sum")
    return {
        "mean": mean,
        "mean: input.grad": grad,
        "sum": summed,
        "sum: input.grad": sum_grad,
        "none": ex.mse_loss(x, y, reduction="none"),
        "mean agrees with F.mse_loss": _agrees(mean, F.mse_loss(x, y)),
        "an unknown reduction (average) raises, as F.mse_loss does": _raises(ex.mse_loss, x, y, reduction="average"),
        "input after reduction='none' (unchanged)": x,
        "target after reduction='none' (unchanged)": y,
    }


# --- cross_entropy -------------------------------------------------------------


@check(points=2, rtol=1e-5, atol=1e-6, forbid=CROSS_ENTROPY)
def cross_entropy_matches_torch(ex):
    """8 samples, 5 classes: the mean loss and its gradient (softmax − one_hot)/N, as F.cross_entropy."""
    logits = torch.randn(8, 5)
    target = torch.randint(0, 5, (8,))
    loss, grad = _loss_and_grad(ex.cross_entropy, logits, target)
    return {"loss": loss, "logits.grad": grad, "agrees with F.cross_entropy": _agrees(loss, F.cross_entropy(logits, target))}


# float32 at magnitude 1000 has a spacing of 6e-5: an exact method in another order may differ by that.
@check(points=2, rtol=1e-4, atol=1e-5, forbid=CROSS_ENTROPY)
def cross_entropy_large_logits(ex):
    """Logits of ±1000 give a finite, correct loss and gradient (shift by the row max before exp)."""
    logits = torch.tensor(
        [
            [1000.0, -1000.0, 0.0],
            [-1000.0, 1000.0, 999.0],
            [1000.0, 1000.0, -1000.0],
            [-1000.0, -1000.0, -1001.0],
        ]
    )
    target = torch.tensor([0, 2, 1, 2])
    loss, grad = _loss_and_grad(ex.cross_entropy, logits, target)
    return {"loss": loss, "logits.grad": grad, "agrees with F.cross_entropy": _agrees(loss, F.cross_entropy(logits, target))}


@check(points=2, rtol=1e-5, atol=1e-6, forbid=CROSS_ENTROPY)
def cross_entropy_class_weights(ex):
    """With class weights the mean is Σ w[y]·loss / Σ w[y] (PyTorch's weighted mean), not a division by N."""
    logits = torch.randn(6, 4)
    target = torch.tensor([0, 1, 3, 3, 2, 3])
    weight = torch.tensor([1.0, 2.0, 0.5, 4.0])
    loss, grad = _loss_and_grad(ex.cross_entropy, logits, target, weight=weight)
    return {
        "loss": loss,
        "logits.grad": grad,
        "agrees with F.cross_entropy": _agrees(loss, F.cross_entropy(logits, target, weight=weight)),
    }


@check(points=2, rtol=1e-5, atol=1e-6, forbid=CROSS_ENTROPY)
def cross_entropy_ignore_index(ex):
    """Targets equal to ignore_index (-100 by default, or a real class given explicitly) count nowhere."""
    logits = torch.randn(6, 4)
    target = torch.tensor([0, -100, 3, 1, -100, 2])
    loss, grad = _loss_and_grad(ex.cross_entropy, logits, target)
    other_logits = torch.randn(5, 3)
    other_target = torch.tensor([0, 1, 2, 1, 2])
    other, other_grad = _loss_and_grad(ex.cross_entropy, other_logits, other_target, ignore_index=1)
    # One class (C = 1) is the edge case: 0 is then the only valid index for an ignored sample's placeholder.
    single, single_grad = _loss_and_grad(ex.cross_entropy, torch.randn(3, 1), torch.tensor([0, -100, 0]))
    return {
        "ignore -100: target after the call (unchanged: not overwritten in place)": target,
        "ignore -100: loss": loss,
        "ignore -100: logits.grad": grad,
        "ignore_index=1: target after the call (unchanged)": other_target,
        "ignore_index=1: loss": other,
        "ignore_index=1: logits.grad": other_grad,
        "one class, one ignored: loss": single,
        "one class, one ignored: logits.grad": single_grad,
        "agrees with F.cross_entropy": _agrees(loss, F.cross_entropy(logits, target)),
    }


@check(points=2, hidden=True, rtol=1e-5, atol=1e-6, forbid=CROSS_ENTROPY)
def cross_entropy_random(ex):
    n, c = int(torch.randint(4, 17, ())), int(torch.randint(2, 9, ()))
    logits = torch.randn(n, c) * float(torch.empty(()).uniform_(0.5, 10.0))
    target = torch.randint(0, c, (n,))
    target[torch.rand(n) < 0.25] = -100
    target[0] = int(torch.randint(0, c, ()))  # at least one sample counts
    target[-1] = -100  # and at least one is ignored
    weight = torch.rand(c) + 0.1
    plain, plain_grad = _loss_and_grad(ex.cross_entropy, logits, target)
    weighted, weighted_grad = _loss_and_grad(ex.cross_entropy, logits, target, weight=weight)
    return {
        "target after the calls (unchanged: not overwritten in place)": target,
        "loss": plain,
        "logits.grad": plain_grad,
        "weighted loss": weighted,
        "weighted logits.grad": weighted_grad,
        "agrees with F.cross_entropy": _agrees(weighted, F.cross_entropy(logits, target, weight=weight)),
    }


# --- binary_cross_entropy ------------------------------------------------------


@check(points=2, rtol=1e-5, atol=1e-6, forbid=BCE)
def binary_cross_entropy_values_and_grad(ex):
    """Probabilities inside (0, 1), hard and soft targets: the mean loss and its gradient, as F.binary_cross_entropy."""
    probs = torch.rand(4, 3) * 0.98 + 0.01
    target = torch.rand(4, 3)
    target[0] = torch.tensor([0.0, 1.0, 1.0])
    loss, grad = _loss_and_grad(ex.binary_cross_entropy, probs, target)
    return {
        "loss": loss,
        "input.grad": grad,
        "agrees with F.binary_cross_entropy": _agrees(loss, F.binary_cross_entropy(probs, target)),
    }


@check(points=2, forbid=BCE)
def binary_cross_entropy_saturated(ex):
    """p of exactly 0 or 1: each log is clamped at −100, so the loss is finite (100 for a confident wrong answer)."""
    probs = torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5, 1e-30])
    target = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 1.0])
    observed = {
        f"p={float(p):g}, y={float(y):g}": ex.binary_cross_entropy(probs[i : i + 1], target[i : i + 1])
        for i, (p, y) in enumerate(zip(probs, target))
    }
    observed["mean of all"] = ex.binary_cross_entropy(probs, target)
    observed["probabilities after the calls (unchanged: no clamp_ on the input)"] = probs
    return observed


# --- bce_with_logits -----------------------------------------------------------


def _bce_with_logits_observations(ex, logits, target, pos_weight):
    """Loss and gradient without and with pos_weight, and agreement with PyTorch."""
    plain, plain_grad = _loss_and_grad(ex.bce_with_logits, logits, target)
    weighted, weighted_grad = _loss_and_grad(ex.bce_with_logits, logits, target, pos_weight=pos_weight)
    expected = F.binary_cross_entropy_with_logits(logits, target, pos_weight=pos_weight)
    return {
        "loss": plain,
        "logits.grad": plain_grad,
        "pos_weight: loss": weighted,
        "pos_weight: logits.grad": weighted_grad,
        "pos_weight: agrees with F.binary_cross_entropy_with_logits": _agrees(weighted, expected),
    }


@check(points=2, rtol=1e-5, atol=1e-6, forbid=BCE_LOGITS)
def bce_with_logits_pos_weight(ex):
    """Moderate logits, with and without a per-class pos_weight: loss and gradient, as F.binary_cross_entropy_with_logits."""
    logits = (torch.randn(6, 3) * 2).clamp(-4.0, 4.0)
    target = (torch.rand(6, 3) < 0.4).float()
    pos_weight = torch.tensor([3.0, 1.0, 0.5])
    return _bce_with_logits_observations(ex, logits, target, pos_weight)


@check(points=2, rtol=1e-5, atol=1e-6, forbid=BCE_LOGITS)
def bce_with_logits_extreme_logits(ex):
    """Logits of ±1000 and ±100 give exact, finite losses (a wrong logit of −1000 costs 1000) and gradients."""
    logits = torch.tensor([[1000.0, -1000.0, 100.0], [-1000.0, 1000.0, -100.0], [30.0, -30.0, 0.5]])
    target = torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.25]])
    pos_weight = torch.tensor([2.0, 0.5, 3.0])
    return _bce_with_logits_observations(ex, logits, target, pos_weight)


# --- kl_div --------------------------------------------------------------------


def _kl_observations(ex, log_q, p):
    """Every reduction, log_target, and the gradient of batchmean w.r.t. the input."""
    observed = {reduction: ex.kl_div(log_q, p, reduction=reduction) for reduction in ("none", "sum", "mean", "batchmean")}
    observed["default reduction (mean)"] = ex.kl_div(log_q, p)
    _, observed["batchmean: input.grad"] = _loss_and_grad(ex.kl_div, log_q, p, reduction="batchmean")
    log_p = F.log_softmax(torch.randn(p.shape), dim=-1)
    log_target, observed["log_target: input.grad"] = _loss_and_grad(
        ex.kl_div, log_q, log_p, reduction="batchmean", log_target=True
    )
    observed["log_target: batchmean"] = log_target
    observed["batchmean agrees with F.kl_div"] = _agrees(
        observed["batchmean"], F.kl_div(log_q, p, reduction="batchmean")
    )
    observed["an unknown reduction (average) raises, as F.kl_div does"] = _raises(ex.kl_div, log_q, p, reduction="average")
    observed["target after the calls (unchanged)"] = p
    return observed


@check(points=2, rtol=1e-5, atol=1e-6, forbid=KL_DIV)
def kl_div_conventions(ex):
    """Input is log q; 0·log 0 = 0 where the target is 0; 'batchmean' divides by N, 'mean' by every element."""
    log_q = F.log_softmax(torch.randn(3, 4), dim=1)
    p = torch.tensor([[0.5, 0.5, 0.0, 0.0], [0.1, 0.2, 0.3, 0.4], [0.0, 0.0, 1.0, 0.0]])
    return _kl_observations(ex, log_q, p)


@check(points=1, hidden=True, rtol=1e-5, atol=1e-6, forbid=KL_DIV)
def kl_div_random(ex):
    n, c = int(torch.randint(2, 9, ())), int(torch.randint(2, 10, ()))
    log_q = F.log_softmax(torch.randn(n, c) * 2, dim=1)
    p = torch.rand(n, c) * (torch.rand(n, c) > 0.3)
    p[:, 0] += 0.1  # no all-zero row
    p[int(torch.randint(0, n, ())), int(torch.randint(1, c, ()))] = 0.0  # every seed: a zero target (0·log 0 = 0)
    return _kl_observations(ex, log_q, p / p.sum(dim=1, keepdim=True))


# --- triplet_margin_loss -------------------------------------------------------


def _triplet_observations(ex, anchor, positive, negative, **options):
    leaves = [t.detach().clone().requires_grad_(True) for t in (anchor, positive, negative)]
    loss = ex.triplet_margin_loss(*leaves, **options)
    loss.backward()
    expected = F.triplet_margin_loss(anchor, positive, negative, **options)
    return {
        "loss": loss,
        "anchor.grad": leaves[0].grad,
        "positive.grad": leaves[1].grad,
        "negative.grad": leaves[2].grad,
        "agrees with F.triplet_margin_loss": _agrees(loss, expected),
    }


@check(points=2, rtol=1e-5, atol=1e-6, forbid=TRIPLET)
def triplet_margin_loss_cases(ex):
    """Default (margin 1, p=2), margin 0.5, p=1, swap=True; an easy triplet adds 0; anchor == positive stays finite."""
    anchor, positive, negative = torch.randn(6, 4), torch.randn(6, 4), torch.randn(6, 4)
    positive[0] = anchor[0]  # distance ‖eps‖, not 0: the gradient is still defined
    negative[0] = anchor[0] + 0.3  # within the margin, so that gradient reaches the anchor
    negative[1] = anchor[1] + 10.0  # far beyond the margin: contributes nothing
    cases = {"default": {}, "margin=0.5": {"margin": 0.5}, "p=1": {"p": 1.0}}
    observed = {name: _triplet_observations(ex, anchor, positive, negative, **options) for name, options in cases.items()}
    # Row 0 on its own: where anchor == positive, only the eps inside the distance gives the anchor a gradient.
    eps_row = observed["default"]["anchor.grad"][0]
    observed["default, anchor == positive: row 0 of anchor.grad (a distance of eps, not 0)"] = eps_row
    # With swap, anchor == positive would tie d(a, neg) and d(pos, neg): which one gets the gradient is arbitrary.
    swap_positive = torch.randn(6, 4)
    swap_positive[2] = negative[2] + 0.1  # the positive nearer the negative than the anchor: swap uses d(pos, neg)
    observed["swap=True"] = _triplet_observations(ex, anchor, swap_positive, negative, swap=True)
    return observed


@check(points=1, hidden=True, rtol=1e-5, atol=1e-6, forbid=TRIPLET)
def triplet_margin_loss_random(ex):
    n, d = int(torch.randint(3, 12, ())), int(torch.randint(2, 9, ()))
    anchor, positive, negative = torch.randn(n, d), torch.randn(n, d), torch.randn(n, d) * 1.5
    negative[-1] = anchor[-1] + 10.0  # at least one easy triplet
    negative[0] = anchor[0] + 0.01  # and at least one inside the margin
    # Every seed: swap off and on, a positive far nearer the negative than the anchor is (swap picks d(pos, neg)).
    negative[1] = anchor[1] + 2.0
    positive[1] = negative[1] + 0.05
    options = {"margin": float(torch.empty(()).uniform_(0.2, 2.0)), "p": (1.0, 2.0, 3.0)[int(torch.randint(0, 3, ()))]}
    return {
        "swap=False": _triplet_observations(ex, anchor, positive, negative, **options),
        "swap=True": _triplet_observations(ex, anchor, positive, negative, swap=True, **options),
    }


# --- WeightedMSELoss -----------------------------------------------------------


@check(points=2, forbid=MSE)
def weighted_mse_module(ex):
    """An nn.Module whose weight is a buffer (in state_dict, converted by .double(), not a parameter); value and gradient."""
    weight = torch.tensor([1.0, 2.0, 0.5])
    loss_fn = ex.WeightedMSELoss(weight)
    x, y = torch.randn(4, 3), torch.randn(4, 3)
    loss, grad = _loss_and_grad(loss_fn, x, y)
    observed = {
        "is an nn.Module": isinstance(loss_fn, nn.Module),
        "buffers": ", ".join(name for name, _ in loss_fn.named_buffers()),
        "parameters": ", ".join(name for name, _ in loss_fn.named_parameters()),
        "state_dict keys": ", ".join(loss_fn.state_dict()),
        "loss": loss,
        "input.grad": grad,
    }
    loss_fn.double()
    observed["weight after .double()"] = loss_fn.weight
    observed["float64 loss after .double()"] = loss_fn(x.double(), y.double())
    return observed



# --- on a device -----------------------------------------------------------------
#
# A probe with a `device` runs on the CPU, on the meta device (shapes and dtypes, no data: on every machine)
# and on CUDA where there is one; the reference runs on the CPU. So it returns facts that read the same
# everywhere: whether the loss and the input's gradient are on the device, their dtypes and shapes.

def _with_grad(fn, device, x, *args, **kwargs):
    """fn on a leaf copy of x and the other tensors, all on `device`; backward; the loss and x.grad."""
    leaf = x.detach().clone().to(device).requires_grad_(True)
    moved = [a.to(device) for a in args]
    loss = fn(leaf, *moved, **{key: value.to(device) if type(value) is torch.Tensor else value for key, value in kwargs.items()})
    loss.backward()
    return {"loss": loss, "input.grad": leaf.grad}


# No `forbid` here: the checks above forbid PyTorch's own losses, and the dispatcher-level watch that does it
# loses the gradient of F.pairwise_distance on the meta device (a valid way to write the triplet loss).
@check(points=1, devices=("cpu", "meta", "cuda"))
def losses_stay_on_the_device(ex, device):
    """Inputs on a device give a loss and gradients there: weights, masks and constants made on that device
    (`ones_like`, not `torch.ones(n)`); WeightedMSELoss's weight is a buffer that .to(device) moves."""
    logits, target = torch.randn(6, 4), torch.tensor([0, -100, 3, 1, 2, 3])
    class_weight, pos_weight = torch.tensor([1.0, 2.0, 0.5, 4.0]), torch.tensor([3.0, 1.0, 0.5, 2.0])
    probs, labels, soft = torch.rand(4, 3) * 0.98 + 0.01, (torch.rand(4, 3) < 0.5).float(), torch.rand(6, 4)
    log_q, p = F.log_softmax(torch.randn(3, 4), dim=1), F.softmax(torch.randn(3, 4), dim=1)
    a, b, c = torch.randn(5, 4), torch.randn(5, 4), torch.randn(5, 4)
    weight = torch.tensor([1.0, 2.0, 0.5])
    x, y = torch.randn(4, 3), torch.randn(4, 3)
    module = lambda on: ex.WeightedMSELoss(weight.clone()).to(on)  # noqa: E731
    calls = {
        "mse_loss": lambda on: _with_grad(ex.mse_loss, on, a, b),
        "mse_loss, reduction='none'": lambda on: ex.mse_loss(a.to(on), b.to(on), reduction="none"),
        "cross_entropy": lambda on: _with_grad(ex.cross_entropy, on, logits, target),
        "cross_entropy with class weights": lambda on: _with_grad(ex.cross_entropy, on, logits, target, weight=class_weight),
        "binary_cross_entropy": lambda on: _with_grad(ex.binary_cross_entropy, on, probs, labels),
        "bce_with_logits": lambda on: _with_grad(ex.bce_with_logits, on, logits, soft),
        "bce_with_logits with pos_weight": lambda on: _with_grad(ex.bce_with_logits, on, logits, soft, pos_weight=pos_weight),
        "kl_div batchmean": lambda on: _with_grad(ex.kl_div, on, log_q, p, reduction="batchmean"),
        "kl_div log_target": lambda on: _with_grad(ex.kl_div, on, log_q, p.log(), reduction="sum", log_target=True),
        "triplet_margin_loss": lambda on: _with_grad(ex.triplet_margin_loss, on, a, b, c),
        "triplet_margin_loss, swap=True": lambda on: _with_grad(ex.triplet_margin_loss, on, a, b, c, swap=True),
        "WeightedMSELoss: weight (a buffer) after .to(device)": lambda on: getattr(module(on), "weight", None),
        "WeightedMSELoss": lambda on: _with_grad(module(on), on, x, y),
    }
    return {name: on_device(device, call) for name, call in calls.items()}
