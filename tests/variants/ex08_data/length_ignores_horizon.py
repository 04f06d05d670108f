"""len = n − seq_len forgets the horizon (right only when horizon is 1); plain slicing then
returns last windows with short targets, and no IndexError past the end."""

VERDICTS = {
    "time_series_indexing_like_a_list": ("failed", "'len with seq_len 4, horizon 3'"),
    "time_series_random": ("error", "stack expects each tensor to be equal size"),
    "time_series_shorter_than_the_window": ("failed", "'len of 5 rows, too short for seq_len 4 + horizon 2': wrong value"),
}
DIAGNOSIS = {"*": ("horizon", "a length let a short item through")}

import torch  # noqa: E402


class TimeSeriesDataset(torch.utils.data.Dataset):
    def __init__(self, data, seq_len, horizon=1):
        self.data = torch.as_tensor(data, dtype=torch.float32)
        self.seq_len, self.horizon = seq_len, horizon

    def __len__(self):
        return len(self.data) - self.seq_len

    def __getitem__(self, index):
        return self.data[index : index + self.seq_len], self.data[index + self.seq_len : index + self.seq_len + self.horizon]
