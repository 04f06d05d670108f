"""Exercise: small tensor utilities."""

import torch


def standardize(x: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """Return x with zero mean and unit variance along dim."""
    n = x.shape[dim]
    m = x.sum(dim, keepdim=True) / n
    v = ((x - m) ** 2).sum(dim, keepdim=True) / n
    if (v == 0).any():
        v = v + (v == 0).to(v.dtype)
    return (x - m) / v ** 0.5


def one_hot(labels: torch.Tensor, classes: int) -> torch.Tensor:
    """Return a float tensor of shape (len(labels), classes) with ones at the labels."""
    rows = []
    for label in labels.tolist():
        row = [0.0] * classes
        row[label] = 1.0
        rows.append(row)
    return torch.tensor(rows).reshape(-1, classes)


def moving_average(values: list[float], window: int) -> list[float]:
    """Return the means of each run of `window` consecutive values."""
    out = []
    i = 0
    while i + window <= len(values):
        chunk = values[i:i + window]
        out.append(sum(chunk) / len(chunk))
        i += 1
    return out


def pairwise_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return the Euclidean distance between every row of a and every row of b."""
    d = torch.empty(a.shape[0], b.shape[0])
    for i in range(a.shape[0]):
        d[i] = torch.linalg.vector_norm(b - a[i], dim=1)
    return d
