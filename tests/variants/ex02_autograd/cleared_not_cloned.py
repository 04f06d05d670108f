"""Returns the cleared gradient as x.grad itself, not a copy: the caller's next backward changes the result."""

VERDICTS = {
    "gradients_accumulate_then_clear": ("failed", "'cleared after another backward on x (a copy: unchanged)'"),
}
DIAGNOSIS = {"*": "a copy"}

import torch  # noqa: E402


def accumulate_then_clear(x):
    (2 * torch.dot(x, x)).backward()
    x.sum().backward()
    accumulated = x.grad.clone()
    x.grad.zero_()
    x.sum().backward()
    return accumulated, x.grad
