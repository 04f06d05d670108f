"""Triplet distances as plain norms ‖a − b‖: where anchor == positive the gradient is 0, PyTorch's is not."""

VERDICTS = {"triplet_margin_loss_cases": ("failed", "'default, anchor == positive: row 0 of anchor.grad (a distance of eps, not 0)'")}
DIAGNOSIS = {"*": "eps"}

import torch  # noqa: E402


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False):
    def distance(x, y):
        return torch.linalg.vector_norm(x - y, ord=p, dim=-1)

    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = torch.minimum(d_neg, distance(positive, negative))
    return (d_pos - d_neg + margin).clamp(min=0).mean()
