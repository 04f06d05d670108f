"""Correct, written differently: resize of (-1, H, W) planes in channels_last memory, the mode checked by
dtype lists, a center crop from its bottom-right corner, a one-line flip, one crop and one flip applied
to the pair by a loop over both tensors, and the worker's dataset given a new generator rather than
reseeding the old one."""

VERDICTS = {}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.utils.data import get_worker_info  # noqa: E402

INTEGER_TYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool)


def resize(image, size, interpolation="bilinear"):
    if interpolation == "nearest":
        antialias = False
    elif interpolation in ("bilinear", "bicubic"):
        if image.dtype in INTEGER_TYPES:
            raise ValueError("use nearest for label masks")
        antialias = True
    else:
        raise ValueError(interpolation)
    *lead, h, w = image.shape
    if type(size) is int:
        new = (size, int(size * w / h)) if h <= w else (int(size * h / w), size)
    else:
        new = (int(size[0]), int(size[1]))
    planes = image.reshape(-1, h, w).unsqueeze(1)
    if image.dtype in INTEGER_TYPES:
        planes = planes.to(torch.float32)
    out = F.interpolate(planes.contiguous(memory_format=torch.channels_last), size=new, mode=interpolation, antialias=antialias)
    return out.squeeze(1).reshape(*lead, *new).to(image.dtype)


def center_crop(image, size):
    h, w = as_pair(size)
    height, width = image.shape[-2:]
    if height - h < 0 or width - w < 0:
        raise ValueError("too large")
    bottom = height - (height - h + 1) // 2
    right = width - (width - w + 1) // 2
    return image[..., bottom - h : bottom, right - w : right]


def random_horizontal_flip(image, generator, p=0.5):
    return image.flip(image.dim() - 1) if torch.rand(1, generator=generator).item() < p else image


def paired_random_transform(image, mask, size, generator, padding=0, p=0.5, ignore_index=255):
    if image.shape[-2:] != mask.shape[-2:] or mask.dim() != 2:
        raise ValueError("image and mask differ")
    pair = [image, mask]
    if padding:
        pair = [F.pad(t, (padding,) * 4, value=v) for t, v in zip(pair, (0.0, ignore_index))]
    h, w = as_pair(size)
    top, left = random_crop_params(pair[0].shape[-2], pair[0].shape[-1], (h, w), generator)
    pair = [t[..., top : top + h, left : left + w] for t in pair]
    if torch.rand(1, generator=generator).item() < p:
        pair = [torch.flip(t, [-1]) for t in pair]
    return pair[0], pair[1]


def seed_worker(worker_id):
    info = get_worker_info()
    info.dataset.generator = torch.Generator().manual_seed(info.seed)
