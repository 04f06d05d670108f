"""len = max(1, n − seq_len − horizon + 1): a series shorter than one window still claims a sample,
and reading it gives a short (or empty) window instead of IndexError."""

VERDICTS = {
    "time_series_shorter_than_the_window": ("failed", "'len of 5 rows, too short for seq_len 4 + horizon 2': wrong value"),
}
DIAGNOSIS = {"*": ("too short for",)}

import torch  # noqa: E402


class TimeSeriesDataset(torch.utils.data.Dataset):
    def __init__(self, data, seq_len, horizon=1):
        self.data = torch.as_tensor(data, dtype=torch.float32)
        self.seq_len, self.horizon = seq_len, horizon

    def __len__(self):
        return max(1, len(self.data) - self.seq_len - self.horizon + 1)

    def __getitem__(self, index):
        start = range(len(self))[index]
        return self.data[start : start + self.seq_len], self.data[start + self.seq_len : start + self.seq_len + self.horizon]
