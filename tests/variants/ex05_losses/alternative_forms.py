"""Correct, written differently: logsumexp instead of the max shift, PyTorch's own BCE-with-logits formula,
a where-based KL, pairwise_distance, and other reduction orders."""

VERDICTS = {}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


def mse_loss(input, target, reduction="mean"):
    diff = input - target
    squared = diff * diff
    return {"mean": lambda: squared.sum() / squared.numel(), "sum": squared.sum, "none": lambda: squared}[reduction]()


def cross_entropy(logits, target, weight=None, ignore_index=-100):
    keep = target != ignore_index
    picked = logits.gather(1, target.clamp(min=0).unsqueeze(1)).squeeze(1)
    nll = torch.logsumexp(logits, dim=1) - picked
    w = weight[target.clamp(min=0)] if weight is not None else torch.ones_like(nll)
    return (nll * w)[keep].sum() / w[keep].sum()


def binary_cross_entropy(input, target):
    log_p = torch.clamp(torch.log(input), min=-100)
    log_not_p = torch.clamp(torch.log1p(-input), min=-100)
    return -(target * log_p).mean() - ((1 - target) * log_not_p).mean()


def bce_with_logits(logits, target, pos_weight=None):
    log_weight = 1 + ((pos_weight if pos_weight is not None else 1) - 1) * target
    softplus_neg = torch.log1p(torch.exp(-logits.abs())) + torch.clamp(-logits, min=0)  # -log sigmoid(x)
    return ((1 - target) * logits + log_weight * softplus_neg).mean()


def kl_div(input, target, reduction="mean", log_target=False):
    if log_target:
        pointwise = torch.exp(target) * (target - input)
    else:
        pointwise = torch.where(target > 0, target * (torch.log(target) - input), torch.zeros_like(input))
    if reduction == "none":
        return pointwise
    total = pointwise.sum()
    return {"sum": total, "mean": total / pointwise.numel(), "batchmean": pointwise.sum(dim=-1).mean()}[reduction]


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False):
    d_pos = F.pairwise_distance(anchor, positive, p=p, eps=eps)
    d_neg = F.pairwise_distance(anchor, negative, p=p, eps=eps)
    if swap:
        d_neg = torch.stack([d_neg, F.pairwise_distance(positive, negative, p=p, eps=eps)]).min(dim=0).values
    return torch.relu(margin + d_pos - d_neg).sum() / anchor.size(0)


class WeightedMSELoss(nn.Module):
    def __init__(self, weight):
        super().__init__()
        self.register_buffer("weight", weight.clone())

    def forward(self, input, target):
        return ((input - target).pow(2) * self.weight).sum() / input.numel()
