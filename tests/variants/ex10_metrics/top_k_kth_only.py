"""Top-k that only looks at the k-th best class, instead of any of the k best."""

VERDICTS = {
    "top_k_hand_made": ("failed", "'top-2: target among the 2 highest scores': wrong value"),
    "top_k_random": ("failed", "'top-k for k = 1..C: target among the k highest scores[1]': wrong value"),
}
DIAGNOSIS = {"*": ("k-th", "any of the k", "among the")}

import torch  # noqa: E402


def top_k_accuracy(scores, target, k):
    kth = scores.topk(k, dim=1).indices[:, k - 1]
    return (kth == target).sum().to(torch.float32) / target.numel()
