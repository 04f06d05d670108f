"""Correct, written differently: log_softmax with a one-hot mask and normalised weights, softplus for
BCE with logits, a clamped log for KL, explicit Minkowski distances for the triplet loss."""

VERDICTS = {}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def cross_entropy(logits, target, weight=None, ignore_index=-100):
    keep = (target != ignore_index).to(logits.dtype)
    one_hot = F.one_hot(target * (target != ignore_index), logits.size(1)).to(logits.dtype)
    nll = -(one_hot * F.log_softmax(logits, dim=1)).sum(dim=1)
    w = (one_hot @ weight if weight is not None else torch.ones_like(nll)) * keep
    return torch.dot(w / w.sum(), nll)


def bce_with_logits(logits, target, pos_weight=None):
    pw = pos_weight if pos_weight is not None else torch.ones(())
    return (pw * target * F.softplus(-logits) + (1 - target) * F.softplus(logits)).mean()


def kl_div(input, target, reduction="mean", log_target=False):
    if log_target:
        pointwise = target.exp() * (target - input)
    else:
        pointwise = target * (target.clamp(min=torch.finfo(target.dtype).tiny).log() - input)
    n = input.size(0)
    return {
        "none": pointwise,
        "sum": pointwise.sum(),
        "mean": pointwise.sum() / pointwise.numel(),
        "batchmean": (pointwise / n).sum(),
    }[reduction]


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False):
    def distance(x, y):
        return ((x - y + eps).abs() ** p).sum(dim=-1) ** (1.0 / p)

    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = torch.min(d_neg, distance(positive, negative))
    return torch.where(d_pos - d_neg + margin > 0, d_pos - d_neg + margin, torch.zeros_like(d_pos)).mean()
