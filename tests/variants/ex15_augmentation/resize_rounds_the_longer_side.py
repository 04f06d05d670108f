"""The longer side rounded instead of truncated: 18 · 5 / 12 = 7.5 becomes 8, not torchvision's 7."""

VERDICTS = {
    "resize_matches_interpolate": ("failed", "'(3, 12, 18) to 5: shorter side 5, 18·5/12 = 7.5 truncated': shape [3, 5, 8]"),
    "resize_random": ("failed", "shape"),
}
DIAGNOSIS = {"*": ("truncated", "round")}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def resize(image, size, interpolation="bilinear"):
    if interpolation not in INTERPOLATIONS:
        raise ValueError(interpolation)
    if interpolation != "nearest" and not image.is_floating_point():
        raise ValueError("resize masks with 'nearest'")
    height, width = image.shape[-2:]
    if isinstance(size, int):
        size = (size, round(size * width / height)) if height <= width else (round(size * height / width), size)
    planes = image.reshape(-1, 1, height, width)
    if not image.is_floating_point():
        planes = planes.float()
    out = F.interpolate(planes, size=size, mode=interpolation, antialias=interpolation != "nearest")
    return out.to(image.dtype).reshape(*image.shape[:-2], *size)
