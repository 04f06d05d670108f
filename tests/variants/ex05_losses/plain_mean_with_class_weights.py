"""Weighted cross-entropy divided by the number of samples instead of by the sum of their class weights."""

VERDICTS = {
    "cross_entropy_class_weights": ("failed", "'loss'"),
    "cross_entropy_random": ("failed", "'weighted loss'"),
}
DIAGNOSIS = {"*": ("sum of the weights", "sum of their class weights", "scale or normaliser", "factor lost or added")}

import torch  # noqa: E402


def cross_entropy(logits, target, weight=None, ignore_index=-100):
    keep = target != ignore_index
    safe_target = torch.where(keep, target, torch.zeros_like(target))
    log_probs = torch.log_softmax(logits, dim=1)
    nll = -log_probs.gather(1, safe_target.unsqueeze(1)).squeeze(1)
    w = weight[safe_target] if weight is not None else torch.ones_like(nll)
    return (w * nll)[keep].mean()
