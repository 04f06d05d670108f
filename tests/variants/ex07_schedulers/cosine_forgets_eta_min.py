"""Cosine without its floor: base_lr * (1 + cos) / 2 ignores eta_min and ends at 0, not at eta_min.

With the default eta_min = 0 nothing changes, so cosine_default_floor_is_zero passes.
"""

VERDICTS = {
    "cosine_reaches_eta_min_at_T_max": ("failed", "'lr at epoch T_max is eta_min': wrong value\nexpected 0.001, got 0"),
    "cosine_random": ("failed", "'first epoch where lr differs from torch CosineAnnealingLR'"),
    "warmup_then_cosine_matches_sequential_lr": ("failed", "CosineAnnealingLR)': expected None, got int 4"),
    "warmup_cosine_random": ("failed", "differs from torch SequentialLR(LinearLR, CosineAnnealingLR)'"),
    "warmup_of_zero_epochs_is_plain_cosine": ("failed", "'first epoch where lr differs from torch CosineAnnealingLR'"),
}
DIAGNOSIS = {"*": "eta_min"}

import math  # noqa: E402


def cosine_annealing_lr(base_lr, epoch, T_max, eta_min=0.0):
    return base_lr * (1 + math.cos(math.pi * epoch / T_max)) / 2
