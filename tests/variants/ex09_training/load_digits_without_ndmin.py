"""np.loadtxt without ndmin=2: a file of one line gives a 1-d row, and `table[:, :-1]` raises."""

VERDICTS = {
    "load_digits_reads_any_file": ("error", "IndexError"),
}
DIAGNOSIS = {"*": ("1-dimensional", "ndmin")}

import gzip  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402


def load_digits(path=DIGITS_PATH):
    with gzip.open(path, "rt") as file:
        table = np.loadtxt(file, delimiter=",", dtype=np.int64)
    return torch.from_numpy(table[:, :-1]).to(torch.float32) / 16.0, torch.from_numpy(table[:, -1])
