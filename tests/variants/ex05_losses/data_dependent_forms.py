"""Correct, written with checks that read the data (a validity assert, an early return when every target is
ignored, a boolean mask): the meta device cannot run them, so its placement run falls back to the CPU for them."""

VERDICTS = {}

import torch  # noqa: E402


def binary_cross_entropy(input, target):
    assert ((input >= 0) & (input <= 1)).all(), "probabilities must lie in [0, 1]"
    log_p = torch.log(input).clamp(min=-100)
    log_not_p = torch.log(1 - input).clamp(min=-100)
    return -(target * log_p + (1 - target) * log_not_p).mean()


def cross_entropy(logits, target, weight=None, ignore_index=-100):
    keep = target != ignore_index
    if not keep.any():
        return logits.sum() * float("nan")
    log_probs = torch.log_softmax(logits[keep], dim=1)
    kept = target[keep]
    nll = -log_probs.gather(1, kept.unsqueeze(1)).squeeze(1)
    w = weight[kept] if weight is not None else torch.ones_like(nll)
    return (w * nll).sum() / w.sum()
