"""count_parameters sums over state_dict() (buffers counted, tied weights twice,
trainable_only ignored); CenteredLayer centres each column instead of the whole tensor."""

VERDICTS = {
    "count_parameters_counts_each_once": ("failed", "'the same nn.Linear(4, 4) used twice': wrong value\nexpected 20, got 40"),
    "centered_layer_subtracts_the_mean": ("failed", "'3x4 matrix'"),
    "sequential_with_custom_layers": ("failed", "'output'"),
}
DIAGNOSIS = {
    "count_parameters_counts_each_once": ("state_dict", "buffer", "twice", "trainable_only"),
    "*": ("along another dimension", "whole tensor", "every element"),
}

from torch import nn  # noqa: E402


def count_parameters(model, trainable_only=False):
    return sum(t.numel() for t in model.state_dict().values())


class CenteredLayer(nn.Module):
    def forward(self, X):
        return X - X.mean(dim=0)
