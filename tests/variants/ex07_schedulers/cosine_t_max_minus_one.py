"""Cosine over T_max - 1 epochs: eta_min is reached one epoch early (and warm-up + cosine inherits it)."""

VERDICTS = {
    "cosine_reaches_eta_min_at_T_max": ("failed", "differs from torch CosineAnnealingLR': expected None, got int 1"),
    "cosine_default_floor_is_zero": ("failed", "differs from torch CosineAnnealingLR': expected None, got int 1"),
    "cosine_random": ("failed", "'first epoch where lr differs from torch CosineAnnealingLR'"),
    "warmup_then_cosine_matches_sequential_lr": ("failed", "CosineAnnealingLR)': expected None, got int 4"),
    "warmup_cosine_random": ("failed", "differs from torch SequentialLR(LinearLR, CosineAnnealingLR)'"),
    "warmup_of_zero_epochs_is_plain_cosine": ("failed", "'first epoch where lr differs from torch CosineAnnealingLR'"),
}
DIAGNOSIS = {"*": ("off by one", "T_max - 1", "one epoch early")}

import math  # noqa: E402


def cosine_annealing_lr(base_lr, epoch, T_max, eta_min=0.0):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / (T_max - 1))) / 2
