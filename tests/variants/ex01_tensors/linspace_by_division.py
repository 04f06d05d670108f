"""linspace written as arange(n) / (n - 1): right for n ≥ 2, 0 / 0 = NaN for n = 1."""

VERDICTS = {"factories": ("failed", "'ranges(1)[1]': 1 of 1 elements are NaN/Inf where finite values were expected")}
DIAGNOSIS = {"*": ("0 / 0", "divides by zero")}

import torch  # noqa: E402


def ranges(n):
    return torch.arange(n), torch.arange(n, dtype=torch.float32) / (n - 1)
