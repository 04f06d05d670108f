"""Correct, written differently: resize by the number of dimensions with unsqueeze/squeeze and min/max
for the shorter side, crops with narrow, draws with randint(high, ()), a flip by index_select, the
image-and-mask pair by replaying the generator's state through random_crop and random_horizontal_flip,
the worker seed from torch.initial_seed(), and the loader's generator made before the loader."""

VERDICTS = {}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.utils.data import DataLoader, get_worker_info  # noqa: E402


def resize(image, size, interpolation="bilinear"):
    if interpolation not in ("bilinear", "bicubic", "nearest"):
        raise ValueError(f"unknown interpolation {interpolation}")
    integer = not torch.is_floating_point(image)
    if integer and interpolation != "nearest":
        raise ValueError("integer tensors need nearest")
    h, w = image.shape[-2], image.shape[-1]
    if isinstance(size, int):
        short, long = min(h, w), max(h, w)
        other = int(size * long / short)
        size = (size, other) if h <= w else (other, size)
    x = image.float() if integer else image
    dims = x.dim()
    if dims == 2:
        x = x[None, None]
    elif dims == 3:
        x = x.unsqueeze(0)
    out = F.interpolate(x, size=tuple(size), mode=interpolation, antialias=interpolation in ("bilinear", "bicubic"))
    if dims == 2:
        out = out[0, 0]
    elif dims == 3:
        out = out.squeeze(0)
    return out.to(image.dtype)


def center_crop(image, size):
    h, w = as_pair(size)
    if h > image.shape[-2] or w > image.shape[-1]:
        raise ValueError("the crop does not fit")
    top = (image.shape[-2] - h) // 2
    left = (image.shape[-1] - w) // 2
    return image.narrow(-2, top, h).narrow(-1, left, w)


def random_crop_params(height, width, size, generator):
    h, w = as_pair(size)
    if h > height or w > width:
        raise ValueError("the crop does not fit")
    top = torch.randint(height - h + 1, (), generator=generator).item()
    left = torch.randint(width - w + 1, (), generator=generator).item()
    return top, left


def random_crop(image, size, generator, padding=0, fill=0):
    if padding:
        image = F.pad(image, [padding] * 4, mode="constant", value=fill)
    h, w = as_pair(size)
    top, left = random_crop_params(image.size(-2), image.size(-1), (h, w), generator)
    return image.narrow(-2, top, h).narrow(-1, left, w)


def random_horizontal_flip(image, generator, p=0.5):
    u = float(torch.rand(1, generator=generator))
    if u >= p:
        return image
    reversed_columns = torch.arange(image.shape[-1] - 1, -1, -1)
    return image.index_select(image.dim() - 1, reversed_columns)


def paired_random_transform(image, mask, size, generator, padding=0, p=0.5, ignore_index=255):
    if tuple(image.shape[-2:]) != tuple(mask.shape):
        raise ValueError("image and mask differ")
    state = generator.get_state()
    image = random_crop(image, size, generator, padding, fill=0.0)
    generator.set_state(state)
    mask = random_crop(mask, size, generator, padding, fill=ignore_index)
    state = generator.get_state()
    image = random_horizontal_flip(image, generator, p)
    generator.set_state(state)
    mask = random_horizontal_flip(mask, generator, p)
    return image, mask


def seed_worker(worker_id):
    get_worker_info().dataset.generator.manual_seed(torch.initial_seed())


def reproducible_loader(dataset, batch_size, seed, num_workers=2):
    generator = torch.Generator()
    generator.manual_seed(seed)
    return DataLoader(dataset, batch_size, True, num_workers=num_workers, worker_init_fn=seed_worker, generator=generator)
