"""normalize subtracts and divides in place (sub_, div_): the right values, but the caller's image
is overwritten, so a second pass (another epoch, another transform) normalizes it twice."""

VERDICTS = {"normalize_and_compose": ("failed", "'input unchanged (not normalized in place)'")}
DIAGNOSIS = {"*": ("in place",)}

import torch  # noqa: E402


def normalize(mean, std):
    mean_t = torch.tensor(mean).view(-1, 1, 1)
    std_t = torch.tensor(std).view(-1, 1, 1)
    return lambda x: x.sub_(mean_t).div_(std_t)
