"""Exercise 15 — augmentation: image transforms with torch ops, and randomness you can repeat.

Data augmentation shows the model a slightly different version of each image
at every epoch (another crop, a mirror image), so that it learns what a digit
or a cat is rather than where its pixels happen to sit. There is no torchvision
here: every transform is a few torch operations on tensors whose last two
dimensions are (height, width): an image (C, H, W), a batch (N, C, H, W), or a
segmentation mask (H, W) of integer class labels.

- **Resize** is interpolation: `F.interpolate` computes each output pixel from
  the input pixels around its position. Shrinking an image without
  *antialiasing* samples it sparsely and aliases (moiré, jagged edges); with
  `antialias=True` (bilinear and bicubic modes) each output pixel averages the
  whole input area it covers, as Pillow and torchvision do. Masks hold labels,
  not intensities: bilinear would invent label 1.5 between 1 and 2, so masks
  are resized with "nearest".
- **Crops are slices**: `image[..., top:top + h, left:left + w]` is a view of
  the same memory, no copy. A center crop computes top and left; a random crop
  draws them; padding first (`F.pad`) lets the crop slide partly off the image.
- **Explicit generators**: every random transform here takes a
  `torch.Generator` and draws from it, never from the global RNG, in a fixed
  order. The same generator state gives the same augmentation, and nothing
  else in the program (model initialisation, dropout, another transform)
  shifts it.
- **Image and mask together**: for segmentation the crop and the flip must be
  the same for the image and its mask: draw the parameters once, apply them to
  both; two independent random transforms misalign the labels with the pixels.
- **Workers**: a DataLoader with `num_workers > 0` runs `__getitem__` in
  worker processes, forked from the main one, so each starts with a *copy* of
  the dataset, including any generator it holds: every worker would draw the
  same "random" numbers, and the same ones again every epoch (the parent's
  generator never moves). PyTorch reseeds the global RNGs of torch, `random` and
  NumPy in each worker (base seed + worker id; before PyTorch 1.9 NumPy's was
  the same everywhere, the famous version of this bug), but not generator
  objects of your own: reseed them in a `worker_init_fn`. The base seed is drawn
  from the loader's `generator`, so a seeded generator makes whole runs repeat.
"""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, get_worker_info

Size = int | Sequence[int]

INTERPOLATIONS = ("bilinear", "bicubic", "nearest")


# --- given helpers ---------------------------------------------------------------------------


def as_pair(size: Size) -> tuple[int, int]:
    """A crop size as (height, width): an int n means (n, n); a pair is kept."""
    if isinstance(size, int):
        return size, size
    height, width = size
    return int(height), int(width)


# --- resize ----------------------------------------------------------------------------------


def resize(image: torch.Tensor, size: Size, interpolation: str = "bilinear") -> torch.Tensor:
    """Resize the last two dimensions of `image` with `F.interpolate`.

    What: `image` has shape (..., H, W): (H, W), (C, H, W) or (N, C, H, W).
    `size` is either a pair (new_h, new_w), or an int s: then the *shorter*
    side becomes s and the longer one keeps the aspect ratio, truncated to an
    int (H ≤ W gives (s, int(s · W / H)); H > W gives (int(s · H / W), s)).
    `interpolation` is "bilinear", "bicubic" (both with `antialias=True`) or
    "nearest" (no antialiasing: torch has none for it); anything else raises
    ValueError, and so does an integer tensor (a mask of labels) with anything
    but "nearest". Return a tensor of shape (..., new_h, new_w) and the input's
    dtype. F.interpolate wants (N, C, H, W) and has no "nearest" for int64: view
    the input as (-1, 1, H, W) (every channel is resized on its own anyway),
    resize integer tensors as float32 (exact for labels), and reshape back.
    Why: F.interpolate is the resize of every pipeline. Without antialias a
    downscale reads one input pixel here and there and aliases; with it, each
    output pixel averages the area it covers (as Pillow does). The shorter-side
    rule is torchvision's `Resize(256)`: it keeps the image's proportions.
    Example: resize(torch.rand(3, 100, 150), 50).shape → (3, 50, 75);
    resize(mask, (4, 4), "nearest") keeps mask's dtype and labels.
    """
    # BEGIN SOLUTION check the mode and the dtype; size from an int by the shorter side; reshape to (-1, 1, H, W); interpolate; back
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {INTERPOLATIONS}, not {interpolation!r}")
    if interpolation != "nearest" and not image.is_floating_point():
        raise ValueError(f"{interpolation} interpolation would invent labels: resize integer masks with 'nearest'")
    height, width = image.shape[-2:]
    if isinstance(size, int):
        if height <= width:
            size = (size, int(size * width / height))
        else:
            size = (int(size * height / width), size)
    new_height, new_width = as_pair(size)
    planes = image.reshape(-1, 1, height, width)
    if not image.is_floating_point():
        planes = planes.to(torch.float32)
    antialias = interpolation in ("bilinear", "bicubic")
    resized = F.interpolate(planes, size=(new_height, new_width), mode=interpolation, antialias=antialias)
    return resized.to(image.dtype).reshape(*image.shape[:-2], new_height, new_width)
    # END SOLUTION


# --- crops -----------------------------------------------------------------------------------


def center_crop(image: torch.Tensor, size: Size) -> torch.Tensor:
    """The central (h, w) region of the last two dimensions of `image`, as a view.

    What: (h, w) = as_pair(size). Raise ValueError if h > H or w > W. The crop
    starts at top = (H − h) // 2, left = (W − w) // 2 (when the difference is
    odd, the extra row or column is left out at the bottom or right) and is the
    slice image[..., top:top + h, left:left + w]: a view, not a copy.
    Why: the evaluation counterpart of a random crop: the model is trained on
    crops, so it is tested on a crop of the same size, the central one. A slice
    costs nothing (same memory, other offsets): but an in-place change of the
    crop changes the image too; `clone()` if that matters.
    Example: center_crop(torch.arange(25).reshape(5, 5), 3) → rows 1..3,
    columns 1..3; center_crop(x of shape (3, 6, 6), (3, 4)) → x[:, 1:4, 1:5].
    """
    # BEGIN SOLUTION as_pair; check the size; offsets with // 2; slice the last two dimensions
    crop_height, crop_width = as_pair(size)
    height, width = image.shape[-2:]
    if crop_height > height or crop_width > width:
        raise ValueError(f"crop {(crop_height, crop_width)} is larger than the image {(height, width)}")
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return image[..., top : top + crop_height, left : left + crop_width]
    # END SOLUTION


def random_crop_params(height: int, width: int, size: Size, generator: torch.Generator) -> tuple[int, int]:
    """Draw the top-left corner (top, left) of a random (h, w) crop of an H×W image.

    What: (h, w) = as_pair(size); raise ValueError if h > height or
    w > width. Draw top with `torch.randint(0, height − h + 1, (1,),
    generator=generator)`, THEN left with `torch.randint(0, width − w + 1, (1,),
    generator=generator)`, always both (even when the crop fills the image
    and the only choice is 0). Return them as Python ints.
    Why: every valid position equally likely: top in 0 … H − h *inclusive*,
    hence the + 1 (randint's upper bound is excluded). Drawing always, and
    always in the same order, keeps the generator's sequence independent of
    the sizes: the next random transform gets the same numbers whether or not
    this crop had a choice.
    Example: random_crop_params(5, 5, 5, g) → (0, 0), and g has moved on by
    two draws; random_crop_params(32, 32, 28, g) → two ints in 0 … 4.
    """
    # BEGIN SOLUTION as_pair; check; two torch.randint draws with generator=, top first, upper bounds + 1
    crop_height, crop_width = as_pair(size)
    if crop_height > height or crop_width > width:
        raise ValueError(f"crop {(crop_height, crop_width)} is larger than the image {(height, width)}")
    top = int(torch.randint(0, height - crop_height + 1, (1,), generator=generator))
    left = int(torch.randint(0, width - crop_width + 1, (1,), generator=generator))
    return top, left
    # END SOLUTION


def random_crop(
    image: torch.Tensor, size: Size, generator: torch.Generator, padding: int = 0, fill: float = 0
) -> torch.Tensor:
    """A random (h, w) crop of the last two dimensions of `image`, after optional padding.

    What: if padding > 0, pad the last two dimensions with `padding` pixels of
    value `fill` on every side (`F.pad(image, (p, p, p, p), value=fill)`, a new
    tensor); then draw (top, left) with `random_crop_params` from the (padded)
    height and width, and return the slice [..., top:top + h, left:left + w].
    With padding 0 that is a view of `image` (nothing is padded or copied).
    `image` itself is never modified.
    Why: torchvision's `RandomCrop(32, padding=4)`, the classic CIFAR
    augmentation: the object moves by up to `padding` pixels in any direction,
    the border filled with `fill`. Cropping without padding only moves the view
    inside the image.
    Example: random_crop(x of shape (3, 32, 32), 32, g, padding=4) → (3, 32, 32),
    x shifted by up to 4 pixels with zeros coming in at the border.
    """
    # BEGIN SOLUTION F.pad when padding > 0; random_crop_params on the padded size; slice
    if padding > 0:
        image = F.pad(image, (padding, padding, padding, padding), value=fill)
    crop_height, crop_width = as_pair(size)
    top, left = random_crop_params(image.shape[-2], image.shape[-1], size, generator)
    return image[..., top : top + crop_height, left : left + crop_width]
    # END SOLUTION


# --- flip ------------------------------------------------------------------------------------


def random_horizontal_flip(image: torch.Tensor, generator: torch.Generator, p: float = 0.5) -> torch.Tensor:
    """Mirror `image` left–right with probability p.

    What: draw one number u = `torch.rand(1, generator=generator)` (always,
    whatever p is); if u < p return the image flipped along its last
    dimension, the width (`torch.flip(image, dims=(-1,))`, a new tensor);
    otherwise return `image` itself. p = 0 never flips, p = 1 always does.
    Why: a mirrored cat is still a cat (a mirrored digit often is not: choose
    augmentations that keep the label). The width is the LAST dimension for
    (H, W), (C, H, W) and (N, C, H, W) alike: dims=(1,) flips the width of an
    (H, W) mask but the height of a (C, H, W) image.
    Example: random_horizontal_flip(torch.tensor([[1, 2, 3]]), g, p=1.0) → [[3, 2, 1]].
    """
    # BEGIN SOLUTION one torch.rand draw from the generator; flip dims=(-1,) when it is below p
    if torch.rand(1, generator=generator) < p:
        return torch.flip(image, dims=(-1,))
    return image
    # END SOLUTION


# --- image and mask together -----------------------------------------------------------------


def paired_random_transform(
    image: torch.Tensor,
    mask: torch.Tensor,
    size: Size,
    generator: torch.Generator,
    padding: int = 0,
    p: float = 0.5,
    ignore_index: int = 255,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The same random crop and flip for an image (C, H, W) and its mask (H, W).

    What: raise ValueError if image.shape[-2:] != mask.shape. Pad both
    by `padding` (image with 0, mask with `ignore_index`), draw (top, left)
    ONCE with `random_crop_params`, crop both there; then draw u ONCE with
    `torch.rand(1, generator=generator)` and, if u < p, flip both along the
    width. The draws are those of `random_crop` followed by
    `random_horizontal_flip`: top, left, then u. Return (image, mask); without
    padding and flip they are views of the inputs, as random_crop's would be.
    Why: pixel (i, j) of the mask labels pixel (i, j) of the image, so both
    must move together; calling random_crop on each would draw two different
    crops. Padding the mask with a label that means "ignore" (255, used with
    `F.cross_entropy(..., ignore_index=255)`) keeps the made-up border out of
    the loss; padding it with 0 would label it as class 0.
    Example: with image[0] holding the mask's labels as floats, every pixel
    of the result has image[0] == mask, except where the mask is ignore_index.
    """
    # BEGIN SOLUTION check shapes; pad both (0 and ignore_index); one random_crop_params for both; one flip draw for both
    if image.shape[-2:] != mask.shape:
        raise ValueError(f"image {tuple(image.shape)} and mask {tuple(mask.shape)} differ in height or width")
    if padding > 0:
        image = F.pad(image, (padding, padding, padding, padding), value=0.0)
        mask = F.pad(mask, (padding, padding, padding, padding), value=ignore_index)
    crop_height, crop_width = as_pair(size)
    top, left = random_crop_params(image.shape[-2], image.shape[-1], size, generator)
    image = image[..., top : top + crop_height, left : left + crop_width]
    mask = mask[..., top : top + crop_height, left : left + crop_width]
    if torch.rand(1, generator=generator) < p:
        image, mask = image.flip(-1), mask.flip(-1)
    return image, mask
    # END SOLUTION


class SegmentationDataset(Dataset):
    """Images and masks, augmented by `paired_random_transform` each time a sample is read (given).

    The dataset owns its random generator, `self.generator`, seeded in
    `__init__`: in the main process it gives a repeatable sequence of
    augmentations. In DataLoader workers each process has its own copy of it,
    which `seed_worker` reseeds.
    """

    def __init__(self, images: torch.Tensor, masks: torch.Tensor, size: Size, padding: int = 0, seed: int = 0) -> None:
        self.images, self.masks, self.size, self.padding = images, masks, size, padding
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return paired_random_transform(self.images[index], self.masks[index], self.size, self.generator, self.padding)


# --- reproducible loading with workers -------------------------------------------------------


def seed_worker(worker_id: int) -> None:
    """`worker_init_fn` for a DataLoader: reseed this worker's copy of the dataset's generator.

    What: the DataLoader calls this once in each new worker process, with the
    worker's id. `torch.utils.data.get_worker_info()` then describes the
    worker: `.dataset` is this worker's copy of the dataset, `.seed` the seed
    PyTorch chose for it (the loader's base seed + worker id). Reseed the
    dataset's generator (the datasets here keep it as `dataset.generator`)
    with `manual_seed(info.seed)`, as it is: torch generators take 64-bit
    seeds (the `% 2**32` of many recipes is for NumPy).
    Why: each worker starts with a copy of the generator in the state it had
    in the main process: without reseeding, all workers produce the same
    sequence of "random" crops, and since the main process's generator never
    moves, the same ones again at every epoch. info.seed differs between
    workers and between epochs, and comes from the loader's generator, so a
    seeded loader repeats.
    Example: DataLoader(dataset, batch_size=4, num_workers=2, worker_init_fn=seed_worker,
    generator=torch.Generator().manual_seed(0)).
    """
    # BEGIN SOLUTION get_worker_info(); manual_seed its dataset's generator with its seed
    info = get_worker_info()
    info.dataset.generator.manual_seed(info.seed)
    # END SOLUTION


def reproducible_loader(dataset: Dataset, batch_size: int, seed: int, num_workers: int = 2) -> DataLoader:
    """A shuffling DataLoader with workers whose random augmentations repeat for the same seed.

    What: return DataLoader(dataset, batch_size, shuffle=True, num_workers=num_workers,
    worker_init_fn=seed_worker, generator=torch.Generator().manual_seed(seed)).
    Why: the loader's generator decides both the shuffle and the base seed of
    the workers of each epoch (one draw each time an epoch starts). Seeded,
    two loaders built with the same seed yield the same batches with the same
    augmentations, epoch after epoch, whatever else used the global RNG;
    each epoch still differs from the previous one. Without `generator=`, the
    base seed comes from the global RNG; without `worker_init_fn`, the dataset's
    own generator is the same in every worker.
    Example: two loaders reproducible_loader(ds, 4, seed=0) give equal first
    epochs; reproducible_loader(ds, 4, seed=1) another one.
    """
    # BEGIN SOLUTION shuffle=True, num_workers, worker_init_fn=seed_worker, generator=a seeded torch.Generator
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=True,
        num_workers=num_workers,
        worker_init_fn=seed_worker,
        generator=torch.Generator().manual_seed(seed),
    )
    # END SOLUTION
