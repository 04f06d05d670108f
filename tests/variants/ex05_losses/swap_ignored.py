"""triplet_margin_loss accepts swap but never uses it: d(a, neg) even where the positive is nearer the negative."""

VERDICTS = {
    "triplet_margin_loss_cases": ("failed", "'swap=True.loss'"),
    "triplet_margin_loss_random": ("failed", "'swap=True.loss'"),
}
# triplet_margin_loss_random is left undeclared: on some course secrets a diagnose rule names another mistake there.
DIAGNOSIS = {"triplet_margin_loss_cases": "swap=True"}

import torch  # noqa: E402


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False):
    def distance(x, y):
        return torch.linalg.vector_norm(x - y + eps, ord=p, dim=-1)

    return (distance(anchor, positive) - distance(anchor, negative) + margin).clamp(min=0).mean()
