"""Classic shape slips: view on a transposed tensor, flatten that merges the batch, int64 from a list."""

VERDICTS = {
    "reshape_flatten_unsqueeze_transpose": ("error", "view"),
    "tensor_from_nested_list": ("failed", "dtype torch.int64, expected torch.float32"),
    "results_stay_on_the_device": ("failed", "'flatten_images (keeps the batch dim).shape': wrong value"),
}
DIAGNOSIS = {
    "tensor_from_nested_list": ("int64", "integer dtype"),
    "reshape_flatten_unsqueeze_transpose": ("reshape", "contiguous"),
    "results_stay_on_the_device": "batch dim",
}

import torch  # noqa: E402


def tensor_from_list(values):
    return torch.tensor(values)


def to_rows(x, rows):
    return x.view(rows, -1)


def flatten_images(x):
    return torch.flatten(x)
