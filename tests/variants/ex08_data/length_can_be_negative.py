"""len = n − seq_len − horizon + 1 without a floor at 0: for a series shorter than one window it is
negative, and len() itself raises ValueError."""

VERDICTS = {
    "time_series_shorter_than_the_window": ("failed", "'len of 3 rows, too short for seq_len 10': raised ValueError"),
}
DIAGNOSIS = {"*": ("negative", ">= 0")}

import torch  # noqa: E402


class TimeSeriesDataset(torch.utils.data.Dataset):
    def __init__(self, data, seq_len, horizon=1):
        self.data = torch.as_tensor(data, dtype=torch.float32)
        self.seq_len, self.horizon = seq_len, horizon

    def __len__(self):
        return len(self.data) - self.seq_len - self.horizon + 1

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.data[index : index + self.seq_len], self.data[index + self.seq_len : index + self.seq_len + self.horizon]
