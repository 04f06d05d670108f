"""Computes 2·x before entering no_grad / set_grad_enabled(False): the result is recorded, with a grad_fn."""

VERDICTS = {"three_ways_to_stop_recording": ("failed", "'double_grad_disabled.requires_grad (computed with recording off: False)'")}
DIAGNOSIS = {"*": "recording off"}

import torch  # noqa: E402


def double_grad_disabled(x):
    doubled = 2 * x
    with torch.set_grad_enabled(False):
        return doubled
