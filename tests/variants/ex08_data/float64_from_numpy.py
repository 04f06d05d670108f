"""float64 leaks in from NumPy: torch.from_numpy keeps the array's dtype, and so does array / 255.0."""

VERDICTS = {
    "time_series_length_and_shapes": ("failed", "'sample[0] inputs': dtype torch.float64, expected torch.float32"),
    "time_series_indexing_like_a_list": ("failed", "dtype torch.float64"),
    "time_series_random": ("failed", "'inputs': dtype torch.float64"),
    "to_tensor_layout_and_scale": ("failed", "'to_tensor(2×4×3 array)': dtype torch.float64"),
    "normalize_and_compose": ("failed", "'compose([to_tensor, normalize])(image)': dtype torch.float64"),
    "transforms_random": ("failed", "'to_tensor': dtype torch.float64"),
    "image_folder_pixels": ("failed", "dtype torch.float64"),
    "image_folder_random": ("failed", "dtype torch.float64"),
    "time_series_shorter_than_the_window": ("failed", "'len of 3 rows, too short for seq_len 10': raised ValueError"),
}
DIAGNOSIS = {"*": "float64"}

import numpy as np  # noqa: E402
import torch  # noqa: E402


def to_tensor(image):
    pixels = np.array(image) / 255.0
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    return torch.from_numpy(pixels.transpose(2, 0, 1).copy())


class TimeSeriesDataset(torch.utils.data.Dataset):
    def __init__(self, data, seq_len, horizon=1):
        self.data = torch.from_numpy(data)
        self.seq_len, self.horizon = seq_len, horizon

    def __len__(self):
        return len(self.data) - self.seq_len - self.horizon + 1

    def __getitem__(self, index):
        start = range(len(self))[index]
        return self.data[start : start + self.seq_len], self.data[start + self.seq_len : start + self.seq_len + self.horizon]
