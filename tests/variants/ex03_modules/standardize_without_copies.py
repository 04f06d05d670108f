"""Standardize registers the caller's mean and std themselves (no .clone()): the module follows every later
change the caller makes to its tensors, and zeroing a buffer rewrites the caller's statistics."""

VERDICTS = {
    "standardize_keeps_copies": ("failed", "'output after the caller changed its mean and std (copies: unchanged)'"),
}
DIAGNOSIS = {"*": ("copies", "a copy")}

from torch import nn  # noqa: E402


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, X):
        return (X - self.mean) / self.std
