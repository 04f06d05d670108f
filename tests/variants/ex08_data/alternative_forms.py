"""Correct, written differently: unfold windows, os.scandir with string paths, a hand-made padding
loop, a RandomSampler holding the generator, movedim and a multiply for the transforms."""

VERDICTS = {}

import functools  # noqa: E402
import os  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from torch.utils.data import DataLoader, Dataset, RandomSampler  # noqa: E402


def to_tensor(image):
    array = image.numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    if array.ndim == 2:
        array = array[:, :, None]
    return torch.tensor(array, dtype=torch.float32).movedim(-1, 0).mul(1 / 255)


def normalize(mean, std):
    scale = 1 / torch.tensor(std)
    shift = -torch.tensor(mean) * scale
    return lambda x: x * scale[:, None, None] + shift[:, None, None]


def compose(transforms):
    return lambda x: functools.reduce(lambda value, step: step(value), transforms, x)


class TimeSeriesDataset(Dataset):
    def __init__(self, data, seq_len, horizon=1):
        series = torch.tensor(np.asarray(data), dtype=torch.float32)
        if len(series) < seq_len + horizon:  # unfold needs one whole window: no windows at all
            windows = series.new_empty((0, seq_len + horizon, series.shape[1]))
        else:
            windows = series.unfold(0, seq_len + horizon, 1).transpose(1, 2)  # (count, seq_len + horizon, features)
        self.inputs, self.targets = windows[:, :seq_len], windows[:, seq_len:]

    def __len__(self):
        return self.inputs.shape[0]

    def __getitem__(self, index):
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} windows")
        return self.inputs[index], self.targets[index]


class DictDataset(Dataset):
    def __init__(self, data, labels, transform=None):
        self.pairs = (data, labels)
        self.transform = transform or (lambda x: x)

    def __len__(self):
        return len(self.pairs[1])

    def __getitem__(self, index):
        data, labels = self.pairs
        return dict(data=self.transform(data[index]), label=labels[index])


class ImageFolderDataset(Dataset):
    def __init__(self, root, transform=None):
        root = os.fspath(root)
        with os.scandir(root) as entries:
            self.classes = sorted(entry.name for entry in entries if entry.is_dir())
        self.class_to_idx = {name: self.classes.index(name) for name in self.classes}
        self.samples = []
        for name in self.classes:
            folder = os.path.join(root, name)
            for file in sorted(os.listdir(folder)):
                self.samples.append((os.path.join(folder, file), self.class_to_idx[name]))
        self.transform = transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        path, label = self.samples[index]
        image = to_tensor(np.asarray(Image.open(path).convert("RGB")))
        return (image if self.transform is None else self.transform(image)), label


def pad_collate(batch, padding_value=0.0):
    lengths = torch.tensor([sequence.shape[0] for sequence, _ in batch])
    first = batch[0][0]
    padded = first.new_full((len(batch), int(lengths.max()), *first.shape[1:]), padding_value)
    for row, (sequence, _) in enumerate(batch):
        padded[row, : len(sequence)] = sequence
    return padded, lengths, torch.as_tensor([label for _, label in batch])


def make_loader(dataset, batch_size, shuffle=False, seed=0, drop_last=False, collate_fn=None):
    generator = torch.Generator()
    generator.manual_seed(seed)
    sampler = RandomSampler(dataset, generator=generator) if shuffle else None
    return DataLoader(dataset, batch_size, sampler=sampler, drop_last=drop_last, collate_fn=collate_fn)
