"""mse_loss and kl_div as a chain of `if reduction == ...: return` with nothing after it: a misspelt reduction
silently returns None instead of raising, as PyTorch's losses do."""

VERDICTS = {
    "mse_loss_reductions": ("failed", "'an unknown reduction (average) raises, as F.mse_loss does': wrong value"),
    "kl_div_conventions": ("failed", "'an unknown reduction (average) raises, as F.kl_div does': wrong value"),
    "kl_div_random": ("failed", "'an unknown reduction (average) raises, as F.kl_div does'"),
}
DIAGNOSIS = {"*": "unknown reduction"}

import torch  # noqa: E402


def mse_loss(input, target, reduction="mean"):
    squared = (input - target) ** 2
    if reduction == "mean":
        return squared.mean()
    if reduction == "sum":
        return squared.sum()
    if reduction == "none":
        return squared


def kl_div(input, target, reduction="mean", log_target=False):
    pointwise = target.exp() * (target - input) if log_target else torch.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return pointwise.sum() / input.size(0)
    if reduction == "mean":
        return pointwise.mean()
    if reduction == "sum":
        return pointwise.sum()
    if reduction == "none":
        return pointwise
