"""Triplet loss without max(., 0): easy triplets give negative losses and keep pushing negatives away."""

VERDICTS = {
    "triplet_margin_loss_cases": ("failed", "'default.loss'"),
    "triplet_margin_loss_random": ("failed", "'swap=False.loss'"),
}
DIAGNOSIS = {"*": ("hinge", "max(", "clamp")}

import torch  # noqa: E402


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False):
    def distance(x, y):
        return torch.linalg.vector_norm(x - y + eps, ord=p, dim=-1)

    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = torch.minimum(d_neg, distance(positive, negative))
    return (d_pos - d_neg + margin).mean()
