"""max_pool2d with stride defaulting to 1: overlapping windows, so nn.MaxPool2d(2) no longer halves the map."""

VERDICTS = {
    "max_pool2d_windows_and_strides": ("failed", "'kernel 2 (default stride) on arange(16)': shape [1, 1, 3, 3]"),
    "max_pool2d_random": ("failed", "'default stride: output'"),
}
DIAGNOSIS = {"*": ("stride", "overlapping")}

import math  # noqa: E402

import torch.nn.functional as F  # noqa: E402


def max_pool2d(input, kernel_size, stride=None, padding=0):
    stride = stride or 1
    if padding:
        input = F.pad(input, (padding,) * 4, value=-math.inf)
    windows = input.unfold(2, kernel_size, stride).unfold(3, kernel_size, stride)
    return windows.flatten(-2).max(dim=-1).values
