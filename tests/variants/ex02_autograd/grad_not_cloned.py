"""Returns x.grad itself instead of a copy: the later zero_() and backward change it."""

VERDICTS = {"gradients_accumulate_then_clear": ("failed", "'accumulated'")}
DIAGNOSIS = {"*": ("clone", "copy", "shares memory")}

import torch  # noqa: E402


def accumulate_then_clear(x):
    (2 * torch.dot(x, x)).backward()
    x.sum().backward()
    accumulated = x.grad
    x.grad.zero_()
    x.sum().backward()
    return accumulated, x.grad.clone()
