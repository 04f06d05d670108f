"""len = n − seq_len − horizon: off by one, the last window (and its target, the newest value) is never used."""

VERDICTS = {
    "time_series_length_and_shapes": ("failed", "'len': wrong value\nexpected 90, got 89"),
    "time_series_indexing_like_a_list": ("failed", "'len with seq_len 4, horizon 3'"),
    "time_series_random": ("failed", "'len'"),
    "time_series_shorter_than_the_window": ("failed", "'the one sample of the exact fit (its last window)': raised IndexError"),
}
DIAGNOSIS = {"*": ("off by one", "last window")}


class TimeSeriesDataset(torch.utils.data.Dataset):
    def __init__(self, data, seq_len, horizon=1):
        self.data = torch.as_tensor(data, dtype=torch.float32)
        self.seq_len, self.horizon = seq_len, horizon

    def __len__(self):
        return len(self.data) - self.seq_len - self.horizon

    def __getitem__(self, index):
        start = range(len(self))[index]
        return self.data[start : start + self.seq_len], self.data[start + self.seq_len : start + self.seq_len + self.horizon]
