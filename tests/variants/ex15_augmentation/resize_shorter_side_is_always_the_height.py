"""resize with an int always sets the height to s and scales the width: right for wide images,
but a tall image's shorter side (its width) ends up larger than s."""

VERDICTS = {
    "resize_matches_interpolate": ("failed", "'(2, 1, 9, 7) to 4: shorter side (width) 4'"),
    "resize_random": ("failed", "'tall image to a shorter side, bilinear'"),
}
DIAGNOSIS = {"*": ("shorter side (width)", "tall image")}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def resize(image, size, interpolation="bilinear"):
    if interpolation not in ("bilinear", "bicubic", "nearest"):
        raise ValueError(f"unknown interpolation {interpolation!r}")
    if interpolation != "nearest" and not image.is_floating_point():
        raise ValueError("resize integer masks with 'nearest'")
    height, width = image.shape[-2:]
    if isinstance(size, int):
        size = (size, int(size * width / height))
    planes = image.reshape(-1, 1, height, width)
    planes = planes if image.is_floating_point() else planes.float()
    out = F.interpolate(planes, size=tuple(size), mode=interpolation, antialias=interpolation != "nearest")
    return out.to(image.dtype).reshape(*image.shape[:-2], *size)
