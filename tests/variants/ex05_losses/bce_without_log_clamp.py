"""Binary cross-entropy without PyTorch's clamp of the logs at -100: 0 · log 0 is NaN at p = 0 or 1."""

VERDICTS = {"binary_cross_entropy_saturated": ("failed", "NaN/Inf where finite values were expected")}
DIAGNOSIS = {"*": ("clamp", "0 * log(0)", "xlogy")}

import torch  # noqa: E402


def binary_cross_entropy(input, target):
    return -(target * torch.log(input) + (1 - target) * torch.log(1 - input)).mean()
