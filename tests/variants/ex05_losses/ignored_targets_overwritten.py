"""cross_entropy replaces the ignored targets by 0 in the caller's tensor (target[target == ignore_index] = 0):
the loss is right, but the caller's labels are changed for good."""

VERDICTS = {
    "cross_entropy_ignore_index": ("failed", "'ignore -100: target after the call (unchanged: not overwritten in place)'"),
    "cross_entropy_random": ("failed", "'weighted loss'"),
}
DIAGNOSIS = {"*": ("overwritten in place", "in place")}

import torch  # noqa: E402


def cross_entropy(logits, target, weight=None, ignore_index=-100):
    keep = target != ignore_index
    target[~keep] = 0
    log_probs = torch.log_softmax(logits, dim=1)
    nll = -log_probs.gather(1, target.unsqueeze(1)).squeeze(1)
    w = weight[target] if weight is not None else torch.ones_like(nll)
    w = w * keep
    return (w * nll).sum() / w.sum()
