"""kl_div whose 'batchmean' divides by every element (like 'mean') instead of by the batch size."""

VERDICTS = {
    "kl_div_conventions": ("failed", "'batchmean'"),
    "kl_div_random": ("failed", "'batchmean'"),
}
DIAGNOSIS = {"*": ("mean instead of a sum", "division by n too many", "batch size")}

import torch  # noqa: E402


def kl_div(input, target, reduction="mean", log_target=False):
    if log_target:
        pointwise = target.exp() * (target - input)
    else:
        pointwise = torch.xlogy(target, target) - target * input
    if reduction in ("mean", "batchmean"):
        return pointwise.mean()
    if reduction == "sum":
        return pointwise.sum()
    return pointwise
