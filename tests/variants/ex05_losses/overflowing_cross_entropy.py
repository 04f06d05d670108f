"""Cross-entropy straight from the textbook: log(sum(exp(x))) with no max shift overflows at logits of 1000."""

VERDICTS = {"cross_entropy_large_logits": ("failed", "NaN/Inf where finite values were expected")}
DIAGNOSIS = {"*": ("logsumexp", "subtract the max", "overflow")}

import torch  # noqa: E402


def cross_entropy(logits, target, weight=None, ignore_index=-100):
    keep = target != ignore_index
    safe_target = torch.where(keep, target, torch.zeros_like(target))
    log_probs = logits - torch.log(torch.exp(logits).sum(dim=1, keepdim=True))
    nll = -log_probs.gather(1, safe_target.unsqueeze(1)).squeeze(1)
    w = weight[safe_target] if weight is not None else torch.ones_like(nll)
    w = w * keep
    return (w * nll).sum() / w.sum()
