"""kl_div as target * (log(target) - input): where the target is 0 that is 0 * (-inf) = NaN, not 0."""

VERDICTS = {
    "kl_div_conventions": ("failed", "NaN/Inf where finite values were expected"),
    "kl_div_random": ("failed", "NaN/Inf where finite values were expected"),
}
DIAGNOSIS = {"*": ("0 * log(0)", "xlogy")}

import torch  # noqa: E402


def kl_div(input, target, reduction="mean", log_target=False):
    if log_target:
        pointwise = target.exp() * (target - input)
    else:
        pointwise = target * (torch.log(target) - input)
    if reduction == "batchmean":
        return pointwise.sum() / input.size(0)
    if reduction == "mean":
        return pointwise.mean()
    if reduction == "sum":
        return pointwise.sum()
    return pointwise
