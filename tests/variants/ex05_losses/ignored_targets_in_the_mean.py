"""Ignored targets get a zero loss but still count in the denominator of the mean."""

VERDICTS = {
    "cross_entropy_ignore_index": ("failed", "'ignore -100: loss'"),
    "cross_entropy_random": ("failed", "'loss'"),
}
DIAGNOSIS = {"*": ("ratio of counts", "ignored items", "different number of items")}

import torch  # noqa: E402


def cross_entropy(logits, target, weight=None, ignore_index=-100):
    keep = target != ignore_index
    safe_target = torch.where(keep, target, torch.zeros_like(target))
    log_probs = torch.log_softmax(logits, dim=1)
    nll = -log_probs.gather(1, safe_target.unsqueeze(1)).squeeze(1)
    w = weight[safe_target] if weight is not None else torch.ones_like(nll)
    return (w * nll * keep).sum() / w.sum()
