"""zeros/ones/empty with t's shape and dtype but not its device: right on the CPU, left behind on a GPU."""

VERDICTS = {"results_stay_on_the_device[meta]": ("failed", "'like(t)[0].on the device': wrong value")}
DIAGNOSIS = {"*": "on the device"}

import torch  # noqa: E402


def like(t):
    return torch.zeros(t.shape, dtype=t.dtype), torch.ones(t.shape, dtype=t.dtype), torch.empty(t.shape, dtype=t.dtype)
