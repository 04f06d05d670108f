"""Exercise: small tensor utilities."""

import torch


def standardize(x: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """Return x with zero mean and unit variance along dim."""
    var, mean = torch.var_mean(x, dim=dim, correction=0, keepdim=True)
    return (x - mean) * torch.rsqrt(var + 1e-12)


def one_hot(labels: torch.Tensor, classes: int) -> torch.Tensor:
    """Return a float tensor of shape (len(labels), classes) with ones at the labels."""
    eye = torch.eye(classes)
    return eye[labels]


def moving_average(values: list[float], window: int) -> list[float]:
    """Return the means of each run of `window` consecutive values."""
    series = torch.tensor(values, dtype=torch.float64)
    kernel = torch.full((window,), 1.0 / window, dtype=torch.float64)
    smoothed = torch.nn.functional.conv1d(series.view(1, 1, -1), kernel.view(1, 1, -1))
    return smoothed.flatten().tolist()


def pairwise_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return the Euclidean distance between every row of a and every row of b."""
    diff = a.unsqueeze(1) - b.unsqueeze(0)
    return diff.square().sum(dim=-1).sqrt()
