"""Exercise 5 — loss functions, written by hand and checked against torch.nn.

A loss turns a model's output and a target into one number to minimise; its
gradient is what trains the model. PyTorch ships every classic loss in
`torch.nn.functional`, and here you write them yourself from tensor operations,
because the details are where training goes wrong:

- *numerical stability*: `exp(1000)` is `inf` in float32, so a softmax or a
  sigmoid written straight from the textbook returns NaN on large logits. The
  fix is always the same: shift by the maximum, or use an identity such as
  log σ(x) = −log(1 + e^(−x)) that never exponentiates a large positive number;
- *reductions*: "mean" is not always "divide by the number of elements":
  a class-weighted cross-entropy divides by the sum of the weights, ignored
  targets count nowhere, and KL divergence has "batchmean" for the true
  per-sample value;
- *edge conventions*: `binary_cross_entropy` clamps its logarithms at −100 so
  that p = 0 or p = 1 gives a finite loss; `kl_div` takes log-probabilities as
  its input and treats 0·log 0 as 0.

Each function has the signature of its `torch.nn.functional` twin (with fewer
options), and the checks compare both values and gradients with PyTorch. The
checks forbid calling the twin itself; lower-level operations (`torch.log`,
`torch.logsumexp`, `F.log_softmax`, `F.logsigmoid`, `torch.xlogy`,
`torch.linalg.vector_norm`) are yours to use.
"""

import torch
import torch.nn.functional as F
from torch import nn


def mse_loss(input: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Mean squared error: the average of (input − target)².

    What: the elementwise squared error, then reduced: "mean" (over every
    element), "sum", or "none" (the elementwise tensor, same shape as `input`).
    Why: the default regression loss; its gradient 2(input − target)/n pulls each
    prediction towards its target in proportion to the error.
    Example: mse_loss(torch.tensor([1., 2.]), torch.tensor([1., 4.])) is 2.0
    (errors 0 and 2, squares 0 and 4, mean 2); with reduction="sum" it is 4.0.
    """
    # BEGIN SOLUTION square the difference, then apply the reduction
    squared = (input - target) ** 2
    if reduction == "mean":
        return squared.mean()
    if reduction == "sum":
        return squared.sum()
    if reduction == "none":
        return squared
    raise ValueError(f"unknown reduction {reduction!r}")
    # END SOLUTION


def cross_entropy(
    logits: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
) -> torch.Tensor:
    """Cross-entropy of raw scores `logits` (N, C) against class indices `target` (N,).

    What: per sample, −log softmax(logits)[target] = logsumexp(logits) − logits[target];
    then the weighted mean over the samples whose target is not `ignore_index`:
        loss = Σᵢ w[yᵢ]·ℓᵢ / Σᵢ w[yᵢ]      (w = 1 for every class when weight is None)
    Ignored samples count in neither sum (their gradient is zero).
    Why: the classification loss. Two details matter:
    - stability: compute logsumexp as m + log Σ exp(x − m) with m = max(x), so
      the largest exponent is exp(0) = 1. Without the shift, logits of 1000
      give exp(1000) = inf and a NaN loss;
    - the weighted mean divides by the sum of the weights of the targets seen,
      not by N: that is PyTorch's convention (it keeps a batch of rare,
      heavily weighted classes from producing a huge loss).
    Example: cross_entropy(torch.tensor([[0., 0.]]), torch.tensor([1])) is log 2 ≈ 0.6931;
    cross_entropy(torch.tensor([[1000., -1000.]]), torch.tensor([0])) is 0.0.
    """
    # BEGIN SOLUTION stable log-softmax (subtract the row max), pick the target entries, weighted mean over the kept samples
    keep = target != ignore_index
    safe_target = torch.where(keep, target, torch.zeros_like(target))  # -100 is not a valid index
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    nll = -log_probs.gather(1, safe_target.unsqueeze(1)).squeeze(1)
    w = weight[safe_target] if weight is not None else torch.ones_like(nll)
    w = w * keep
    return (w * nll).sum() / w.sum()
    # END SOLUTION


def binary_cross_entropy(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of probabilities `input` in [0, 1] against targets in [0, 1].

    What: the mean of −[y·log p + (1 − y)·log(1 − p)], where each logarithm is
    clamped below at −100, as PyTorch does.
    Why: the loss for yes/no outputs after a sigmoid. The clamp matters at the
    edges: at p = 0 with y = 0, the formula is 0·log 0 = 0·(−inf) = NaN without
    it, and 0·(−100) = 0 with it; a confident wrong answer (p = 0, y = 1) costs
    100 instead of inf. (Better still: skip the sigmoid and use bce_with_logits.)
    Example: binary_cross_entropy(torch.tensor([0.5]), torch.tensor([1.])) is log 2;
    binary_cross_entropy(torch.tensor([0., 1.]), torch.tensor([0., 1.])) is 0.0.
    """
    # BEGIN SOLUTION clamp log(p) and log(1 - p) at -100 BEFORE multiplying by the targets, then mean
    log_p = torch.log(input).clamp(min=-100)
    log_not_p = torch.log(1 - input).clamp(min=-100)
    return -(target * log_p + (1 - target) * log_not_p).mean()
    # END SOLUTION


def bce_with_logits(
    logits: torch.Tensor, target: torch.Tensor, pos_weight: torch.Tensor | None = None
) -> torch.Tensor:
    """Binary cross-entropy on raw scores: sigmoid and log fused, stable for any logit.

    What: the mean of −[pos_weight·y·log σ(x) + (1 − y)·log σ(−x)], where
    log σ(x) = −log(1 + e^(−x)) is computed without overflow (`F.logsigmoid`, or
    −(max(−x, 0) + log(1 + e^(−|x|)))). `pos_weight` (one value per class,
    broadcast along the last dimension) multiplies the positive term only.
    Why: σ(−1000) is 0 in float32, so log(sigmoid(x)) gives −inf where the true
    value is −1000; working in log space keeps every logit finite and the
    gradient exact (σ(x) − y when pos_weight is 1). `pos_weight` > 1 trades
    precision for recall on rare positives (set it to #negatives / #positives).
    Example: bce_with_logits(torch.tensor([0.]), torch.tensor([1.])) is log 2;
    bce_with_logits(torch.tensor([-1000.]), torch.tensor([1.])) is 1000.0.
    """
    # BEGIN SOLUTION use log-sigmoid for both terms; pos_weight scales the y term only
    positive = target * F.logsigmoid(logits)
    if pos_weight is not None:
        positive = pos_weight * positive
    return -(positive + (1 - target) * F.logsigmoid(-logits)).mean()
    # END SOLUTION


def kl_div(
    input: torch.Tensor, target: torch.Tensor, reduction: str = "mean", log_target: bool = False
) -> torch.Tensor:
    """KL(target ‖ model) with PyTorch's conventions: `input` holds log-probabilities.

    What: pointwise, target·(log target − input), with 0·log 0 taken as 0
    (`torch.xlogy(t, t)` does that); with `log_target=True` the target is given
    as log-probabilities too and the pointwise term is exp(t)·(t − input).
    Reductions: "none", "sum", "mean" (over every element) and "batchmean"
    (the sum divided by input.size(0): the real KL divergence per sample).
    Why: used for distillation and VAEs, with three traps: the input is *log*
    probabilities (pass `log_softmax(...)`, not `softmax(...)`), the argument
    order is the reverse of the maths (kl_div(log q, p) is KL(p ‖ q)), and
    "mean" divides by the number of classes as well, so only "batchmean" gives
    the KL divergence.
    Example: with input = log([0.5, 0.5]) and target = [1., 0.], the pointwise
    terms are [log 2, 0]: "sum" is log 2 ≈ 0.6931 and "mean" is log 2 / 2.
    """
    # BEGIN SOLUTION pointwise term (xlogy, or exp(t)·(t - input) for log targets), then the reduction
    if log_target:
        pointwise = target.exp() * (target - input)
    else:
        pointwise = torch.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return pointwise.sum() / input.size(0)
    if reduction == "mean":
        return pointwise.mean()
    if reduction == "sum":
        return pointwise.sum()
    if reduction == "none":
        return pointwise
    raise ValueError(f"unknown reduction {reduction!r}")
    # END SOLUTION


def triplet_margin_loss(
    anchor: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
) -> torch.Tensor:
    """Triplet loss on embeddings (N, D): the anchor nearer the positive than the negative, by a margin.

    What: with d(a, b) = ‖a − b + eps‖_p along the last dimension (PyTorch's
    `pairwise_distance`: the eps keeps the gradient finite when a = b),
        loss = mean over the batch of max(d(a, pos) − d(a, neg) + margin, 0).
    With `swap=True`, d(a, neg) is replaced by min(d(a, neg), d(pos, neg)): the
    harder of the two negatives' distances.
    Why: metric learning (face recognition, retrieval) learns embeddings in which
    distances mean something. The hinge max(·, 0) is essential: triplets that
    already satisfy the margin contribute nothing, so training focuses on the
    hard ones instead of pushing easy negatives ever further.
    Example: anchor [[0., 0.]], positive [[0., 1.]], negative [[0., 3.]] with
    margin 1: max(1 − 3 + 1, 0) = 0 (ignoring eps); with negative [[0., 1.5]]
    the loss is 1 − 1.5 + 1 = 0.5.
    """
    # BEGIN SOLUTION distances with vector_norm(x - y + eps, ord=p, dim=-1), optional swap, hinge, mean
    def distance(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.linalg.vector_norm(x - y + eps, ord=p, dim=-1)

    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = torch.minimum(d_neg, distance(positive, negative))
    return (d_pos - d_neg + margin).clamp(min=0).mean()
    # END SOLUTION


class WeightedMSELoss(nn.Module):
    """A custom loss module: the mean of weight · (input − target)².

    What: `WeightedMSELoss(weight)` stores `weight` (broadcastable to the inputs,
    typically one value per output feature) as a *buffer*, and `forward(input,
    target)` returns mean(weight · (input − target)²) over every element.
    Why: a loss is a module like any other. Registering the weight with
    `self.register_buffer("weight", weight)` puts it in `state_dict()` and moves it
    with `.to(device)` / `.double()`, yet keeps it out of `parameters()`, so no
    optimizer trains it. A plain attribute would stay behind on the CPU; an
    `nn.Parameter` would be learned (towards zero: the loss loves a zero weight).
    Example: WeightedMSELoss(torch.tensor([1., 3.]))(torch.tensor([[1., 1.]]),
    torch.tensor([[0., 0.]])) is (1·1 + 3·1) / 2 = 2.0.
    """

    def __init__(self, weight: torch.Tensor) -> None:
        super().__init__()
        # BEGIN SOLUTION register weight as a buffer (not a Parameter, not a plain attribute)
        self.register_buffer("weight", weight)
        # END SOLUTION

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION weighted squared error, mean over every element
        return (self.weight * (input - target) ** 2).mean()
        # END SOLUTION
