"""Dropout without the p = 1 case: 0 / (1 − 1) gives NaN everywhere instead of zeros."""

VERDICTS = {"dropout_edge_cases": ("failed", "'p=1: output': 20 of 20 elements are NaN/Inf")}
DIAGNOSIS = {"*": ("0 / 0", "p = 1")}

import torch  # noqa: E402


def dropout(x, p=0.5, training=True):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training:
        return x
    return x * (torch.rand_like(x) >= p) / (1.0 - p)
