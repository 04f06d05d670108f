"""Calls PyTorch's own losses (F.cross_entropy, nn.BCEWithLogitsLoss) instead of writing them: the checks forbid that."""

VERDICTS = {
    "cross_entropy_matches_torch": ("failed", "torch.nn.functional.cross_entropy called at line"),
    "cross_entropy_large_logits": ("failed", "called at line"),
    "cross_entropy_class_weights": ("failed", "called at line"),
    "cross_entropy_ignore_index": ("failed", "called at line"),
    "cross_entropy_random": ("failed", "called at line"),
    "bce_with_logits_pos_weight": ("failed", "torch.nn.functional.binary_cross_entropy_with_logits called at line"),
    "bce_with_logits_extreme_logits": ("failed", "called at line"),
}
DIAGNOSIS = {"*": "called at line"}

import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


def cross_entropy(logits, target, weight=None, ignore_index=-100):
    return F.cross_entropy(logits, target, weight=weight, ignore_index=ignore_index)


def bce_with_logits(logits, target, pos_weight=None):
    return nn.BCEWithLogitsLoss(pos_weight=pos_weight)(logits, target)
