"""Doubles x in place under no_grad (allowed there): the caller's tensor changes, and the result is x itself, still requiring grad."""

VERDICTS = {
    "three_ways_to_stop_recording": ("failed", "'input.double_no_grad': 4 of 4 elements differ"),
}
DIAGNOSIS = {"*": "in place"}

import torch  # noqa: E402


def double_no_grad(x):
    with torch.no_grad():
        return x.mul_(2)
