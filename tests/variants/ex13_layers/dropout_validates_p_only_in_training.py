"""dropout returns x in eval before it checks p: dropout(x, 1.5, training=False) passes silently
(F.dropout raises whatever the mode)."""

VERDICTS = {
    "dropout_edge_cases": ("failed", "'p=1.5 in eval (training=False) raises too'"),
}
DIAGNOSIS = {"*": ("in eval (training=false) raises", "raises too")}

import torch  # noqa: E402


def dropout(x, p=0.5, training=True):
    if not training:
        return x
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = torch.rand_like(x) >= p
    return x * keep / (1.0 - p)
