"""Dropout that zeros values but does not rescale the survivors by 1/(1 − p): training activations shrink by (1 − p)."""

VERDICTS = {"dropout_statistics": ("failed", "'p=0.2: survivors are x / (1 - p)'")}
DIAGNOSIS = {"*": ("1 - p", "rescal")}

import torch  # noqa: E402


def dropout(x, p=0.5, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return x
    return x * (torch.rand_like(x) >= p)
