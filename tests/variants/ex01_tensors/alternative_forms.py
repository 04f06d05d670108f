"""Correct, written differently: cdist-free norm expansion, index_select, torch.stack via unsqueeze."""

VERDICTS = {}

import torch  # noqa: E402


def pairwise_distances(x, y):
    squared = (x**2).sum(1, keepdim=True) + (y**2).sum(1) - 2 * x @ y.T
    return squared.clamp_min(0).sqrt()


def column(x, j):
    return x.index_select(1, torch.tensor([j])).squeeze(1)


def join(a, b):
    return torch.cat((a, b)), torch.cat((a.unsqueeze(0), b.unsqueeze(0)))


def column_stats(x):
    n = x.shape[0]
    mean = x.sum(0) / n
    std = (((x - mean) ** 2).sum(0) / (n - 1)).sqrt()
    return mean, std, x.amax(0), x.argmax(0)


def add_batch_dim(x):
    return x[None]
