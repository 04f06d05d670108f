"""An int size taken as (size, size): the image is squashed instead of keeping its proportions."""

VERDICTS = {
    "resize_matches_interpolate": ("failed", "'(3, 12, 18) to 8, bilinear: shorter side 8': shape [3, 8, 8]"),
    "resize_random": ("failed", "shorter side"),
}
DIAGNOSIS = {"*": ("shorter side", "proportion", "aspect")}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def resize(image, size, interpolation="bilinear"):
    if interpolation not in INTERPOLATIONS:
        raise ValueError(interpolation)
    if interpolation != "nearest" and not image.is_floating_point():
        raise ValueError("resize masks with 'nearest'")
    height, width = image.shape[-2:]
    size = as_pair(size)
    planes = image.reshape(-1, 1, height, width)
    if not image.is_floating_point():
        planes = planes.float()
    out = F.interpolate(planes, size=size, mode=interpolation, antialias=interpolation != "nearest")
    return out.to(image.dtype).reshape(*image.shape[:-2], *size)
