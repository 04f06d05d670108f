"""dropout tests p = 1 before looking at `training`: in eval mode with p = 1 it returns zeros
instead of x (eval must be the identity, whatever p is)."""

VERDICTS = {
    "dropout_edge_cases": ("failed", "'eval (training=False, p=1): output is x'"),
}
DIAGNOSIS = {"*": ("eval (training=false, p=1): output is x", "identity")}

import torch  # noqa: E402


def dropout(x, p=0.5, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 1.0:
        return torch.zeros_like(x)
    if not training or p == 0.0:
        return x
    keep = torch.rand_like(x) >= p
    return x * keep / (1.0 - p)
