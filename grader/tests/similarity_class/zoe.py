"""Exercise: small tensor utilities."""

import torch


def standardize(x: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """Return x with zero mean and unit variance along dim."""
    # subtract the mean, divide by the standard deviation
    shifted = x - x.mean(dim=dim, keepdim=True)

    deviation = shifted.pow(2).mean(dim=dim, keepdim=True).sqrt()
    return shifted / deviation.clamp_min(1e-8)


def one_hot(labels: torch.Tensor, classes: int) -> torch.Tensor:
    """Return a float tensor of shape (len(labels), classes) with ones at the labels."""
    out = torch.zeros(labels.shape[0], classes)
    out[torch.arange(labels.shape[0]), labels] = 1.0  # set the hot entries
    return out


def moving_average(values: list[float], window: int) -> list[float]:
    """Return the means of each run of `window` consecutive values."""
    averages = []
    total = sum(values[:window])
    averages.append(total / window)
    for i in range(window, len(values)):
        total += values[i] - values[i - window]   # slide the window by one
        averages.append(total / window)
    return averages


def pairwise_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Return the Euclidean distance between every row of a and every row of b."""
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return sq.clamp_min(0.0).sqrt()
