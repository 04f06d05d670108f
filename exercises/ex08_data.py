"""Exercise 8 — data: Dataset, DataLoader, collate functions and transforms.

Training code never indexes raw arrays directly. It goes through two objects of
`torch.utils.data`:

- a **Dataset** says how many samples there are (`__len__`) and how to build
  sample number i (`__getitem__`): read a file, cut a window, apply a transform;
- a **DataLoader** decides *which* indices go into each batch (in order, or
  shuffled by a random generator), fetches those samples one by one, and
  **collates** them into a batch (by default `torch.stack` of each field).

    loader = DataLoader(dataset, batch_size=32, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    for inputs, targets in loader:   # one epoch
        ...

Most data bugs are silent: the model trains, just on the wrong thing. The ones
taught here: a window count off by one, float64 leaking in from NumPy (and then
"expected Float but found Double" in the first layer), class labels that depend
on the order the file system lists folders in, images left in H×W×C or in
0…255, variable-length sequences that cannot be stacked, a shuffle that is not
reproducible, and a transform applied once to the whole data set instead of to
each sample as it is read (so random augmentation is the same every epoch).

There is no torchvision here: the transforms are written with torch operations,
and images are read with Pillow (`PIL.Image`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

Transform = Callable[[Any], Any]

# --- transforms ------------------------------------------------------------------


def to_tensor(image: Any) -> torch.Tensor:
    """Turn an H×W×C uint8 image into a C×H×W float32 tensor with values in [0, 1].

    What: accept a NumPy array, a tensor or a PIL image of shape H×W×C (or H×W
    for a grayscale image, which becomes 1×H×W) with values 0…255; move the
    channel axis first with `permute` and divide by 255 in float32.
    Why: image files and Pillow store pixels row by row, channels last, as bytes;
    convolutions (`nn.Conv2d`) expect channels first and small float values.
    `reshape`/`view` to C×H×W gives the right shape but scrambles the pixels:
    only `permute` moves an axis. Dividing a NumPy array by 255.0 gives float64.
    Example: to_tensor(np.full((2, 3, 3), 255, np.uint8)) is torch.ones(3, 2, 3).
    """
    # TODO: a tensor of the pixels; add a channel axis to 2-D images; permute HWC -> CHW; float32 / 255
    raise NotImplementedError('to_tensor')


def normalize(mean: Sequence[float], std: Sequence[float]) -> Callable[[torch.Tensor], torch.Tensor]:
    """A transform that standardises each channel of a C×H×W tensor: (x − mean[c]) / std[c].

    What: return a function `f(x)` that takes a float C×H×W tensor and returns a
    *new* tensor (the input is left unchanged) with channel c shifted by mean[c]
    and divided by std[c].
    Why: networks train better on inputs centred near 0 with unit spread; the
    per-channel statistics of the training set (the famous ImageNet
    mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)) are applied to every
    image. A mean of shape (C,) must be viewed as (C, 1, 1) to broadcast over
    H and W: as (C,) it would line up with W instead.
    Example: normalize([0.5], [0.5])(torch.ones(1, 2, 2)) is torch.ones(1, 2, 2).
    """
    # TODO: turn mean and std into (C, 1, 1) tensors, return a function computing (x - mean) / std
    raise NotImplementedError('normalize')


def compose(transforms: Sequence[Transform]) -> Transform:
    """Chain transforms: compose([f, g, h])(x) is h(g(f(x))).

    What: return a function that applies each transform in list order, feeding
    each one the previous one's output; an empty list gives the identity.
    Why: a data pipeline is a list of small steps, e.g.
    compose([to_tensor, normalize(mean, std)]), that a Dataset applies to each
    sample. The order matters: normalize needs the tensor that to_tensor makes.
    Example: compose([lambda x: x + 1, lambda x: 2 * x])(1) == 4.
    """
    # TODO: return a function that loops over the transforms in order
    raise NotImplementedError('compose')


# --- datasets --------------------------------------------------------------------


class TimeSeriesDataset(Dataset):
    """Sliding windows over a series: `seq_len` inputs, then the next `horizon` targets.

    What: `data` is an array or tensor of shape (n, features), possibly float64.
    Sample i is (data[i : i + seq_len], data[i + seq_len : i + seq_len + horizon])
    as float32 tensors of shapes (seq_len, features) and (horizon, features).
    There are n − seq_len − horizon + 1 samples: the last window must leave room
    for its targets, and none at all when the series is shorter than
    seq_len + horizon. Indexing works like a list: negative indices count from the
    end, and an index out of range raises IndexError (plain slicing would return a
    short window instead; Python's `for sample in dataset` stops on IndexError).
    Why: forecasting models (RNNs, transformers) learn from such windows; a window
    count off by one either drops the newest sample or makes last targets that are
    short or empty (n − seq_len is right only when horizon is 1).
    Example: 100 rows with seq_len=10, horizon=1 give 90 samples; sample 0 is
    (rows 0–9, row 10) and sample 89 is (rows 89–98, row 99).
    """

    def __init__(self, data: Any, seq_len: int, horizon: int = 1) -> None:
        # TODO: keep the data as ONE float32 tensor, and the two lengths
        raise NotImplementedError('__init__')

    def __len__(self) -> int:
        # TODO: every start index whose window and targets fit in the data
        raise NotImplementedError('__len__')

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        # TODO: check the index like a list does, then cut the two slices
        raise NotImplementedError('__getitem__')


class DictDataset(Dataset):
    """Samples as dictionaries {"data": x, "label": y}, with an optional per-sample transform.

    What: sample i is {"data": transform(data[i]), "label": labels[i]}; without a
    transform, "data" is data[i] itself. The transform is called in
    `__getitem__`, once per sample read, never on the whole `data` up front.
    Why: returning dicts keeps fields named (the default collate of a DataLoader
    turns a list of such dicts into one dict of stacked tensors). Applying the
    transform when a sample is read is what makes random augmentation random:
    each epoch sees a new crop or noise; a transform applied once in `__init__`
    freezes it, and sees the whole data set instead of one sample.
    Example: DictDataset(torch.eye(3), torch.tensor([0, 1, 2]))[1] ==
    {"data": tensor([0., 1., 0.]), "label": tensor(1)}.
    """

    def __init__(self, data: Any, labels: Any, transform: Transform | None = None) -> None:
        # TODO: store data, labels and transform as they are
        raise NotImplementedError('__init__')

    def __len__(self) -> int:
        raise NotImplementedError('__len__')

    def __getitem__(self, index: int) -> dict[str, Any]:
        # TODO: read one sample; transform its data only, now
        raise NotImplementedError('__getitem__')


class ImageFolderDataset(Dataset):
    """Images stored as root/<class name>/<file>, labelled by class folder.

    What: the classes are the names of the sub-folders of `root` in *sorted*
    order (plain files directly in `root` are ignored); `self.classes` is that
    list and `self.class_to_idx` maps each name to its index. The samples are
    every file of every class folder, classes in that order and files sorted by
    name within a class; `self.samples` is the list of (path, class index).
    Sample i is (image, label): the file opened with Pillow, converted to "RGB"
    (so grayscale or RGBA files also give 3 channels), turned into a C×H×W
    float32 tensor in [0, 1] with `to_tensor`, then passed to `transform` if one
    is given; label is the class index, an int.
    Why: the layout of torchvision's ImageFolder and of most image data sets
    (e.g. hymenoptera_data/train/ants, .../bees). `os.listdir` returns names in
    an order that depends on the file system: labels taken in that order differ
    from one machine to the next, and a saved model then predicts wrong class
    names. Sorting makes the labels a function of the names only.
    Example: folders bees/ and ants/ give classes ["ants", "bees"], so every
    image under ants/ has label 0.
    """

    def __init__(self, root: str | os.PathLike, transform: Transform | None = None) -> None:
        # TODO: sorted class folders, class_to_idx, then (path, index) for each sorted file
        raise NotImplementedError('__init__')

    def __len__(self) -> int:
        raise NotImplementedError('__len__')

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        # TODO: open with PIL, convert("RGB"), to_tensor, optional transform
        raise NotImplementedError('__getitem__')


# --- batching --------------------------------------------------------------------


def pad_collate(
    batch: Sequence[tuple[torch.Tensor, int]], padding_value: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Collate (sequence, label) samples of different lengths into one padded batch.

    What: each sequence has shape (L_i, *features) with its own L_i. Return
    (padded, lengths, labels): padded has shape (B, max L_i, *features), row b
    holding sequence b followed by `padding_value`; lengths is an int64 tensor of
    the L_i (measured *before* padding); labels is an int64 tensor of the labels.
    The samples keep their order.
    Why: the default collate stacks samples, which fails for sequences of
    different lengths. Padding makes them stackable, and the lengths say which
    positions are real: `nn.utils.rnn.pack_padded_sequence(padded, lengths,
    batch_first=True, enforce_sorted=False)` and attention masks need them.
    Use it as `DataLoader(dataset, batch_size=..., collate_fn=pad_collate)`.
    Example: sequences [1, 2] and [3] with labels 0, 1 give
    (tensor([[1, 2], [3, 0]]), tensor([2, 1]), tensor([0, 1])).
    """
    # TODO: lengths first, then nn.utils.rnn.pad_sequence(batch_first=True), labels as int64
    raise NotImplementedError('pad_collate')


def make_loader(
    dataset: Dataset,
    batch_size: int,
    shuffle: bool = False,
    seed: int = 0,
    drop_last: bool = False,
    collate_fn: Callable | None = None,
) -> DataLoader:
    """A DataLoader whose shuffle depends on `seed` only.

    What: return DataLoader(dataset, batch_size, shuffle, drop_last, collate_fn)
    with `generator=torch.Generator().manual_seed(seed)`, its own random
    generator; `collate_fn=None` means the default collate.
    Why: with shuffle=True and no generator, the order is drawn from the global
    RNG, so it changes with everything else that drew random numbers before
    (model initialisation, dropout, another loader), and a run cannot be
    repeated. Seeding the global RNG instead (torch.manual_seed inside the
    function) makes the order repeatable but resets everyone else's randomness.
    A private generator gives the same sequence of epochs for the same seed, a
    new order each epoch, and touches nothing else. The number of batches is
    ⌈N / batch_size⌉, or ⌊N / batch_size⌋ with drop_last=True (the last, short
    batch is dropped, e.g. for BatchNorm, which cannot train on 1 sample).
    Example: 10 samples, batch_size=3: batches of 3, 3, 3, 1 (4 batches), or
    3, 3, 3 with drop_last=True.
    """
    # TODO: pass a freshly seeded torch.Generator as generator=
    raise NotImplementedError('make_loader')
