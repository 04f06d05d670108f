"""Doubles x in place under no_grad (allowed there): the caller's tensor changes, and the result is x itself, still requiring grad."""

VERDICTS = {
    "three_ways_to_stop_recording": ("failed", "'double_no_grad: input after the call (unchanged)'"),
}

import torch  # noqa: E402


def double_no_grad(x):
    with torch.no_grad():
        return x.mul_(2)
