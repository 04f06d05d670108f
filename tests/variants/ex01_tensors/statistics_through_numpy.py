"""Column statistics computed in NumPy and converted back: right on the CPU, impossible for a tensor on a GPU."""

VERDICTS = {"results_stay_on_the_device[meta]": ("failed", "'column_stats': raised TypeError")}
DIAGNOSIS = {"*": "numpy"}

import numpy as np  # noqa: E402
import torch  # noqa: E402


def column_stats(x):
    values = x.numpy()
    return (
        torch.from_numpy(values.mean(axis=0)),
        torch.from_numpy(values.std(axis=0, ddof=1)),
        torch.from_numpy(values.max(axis=0)),
        torch.from_numpy(values.argmax(axis=0)),
    )
