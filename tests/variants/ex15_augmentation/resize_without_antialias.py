"""F.interpolate without antialias: a downscale samples the input sparsely and aliases."""

VERDICTS = {
    "resize_matches_interpolate": ("failed", "'agrees with F.interpolate (antialias for bilinear and bicubic)': wrong value"),
    "resize_random": ("failed", "bicubic'"),
}
DIAGNOSIS = {"*": "antialias"}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def resize(image, size, interpolation="bilinear"):
    if interpolation not in INTERPOLATIONS:
        raise ValueError(interpolation)
    if interpolation != "nearest" and not image.is_floating_point():
        raise ValueError("resize masks with 'nearest'")
    height, width = image.shape[-2:]
    if isinstance(size, int):
        size = (size, int(size * width / height)) if height <= width else (int(size * height / width), size)
    planes = image.reshape(-1, 1, height, width)
    resized = F.interpolate(planes.to(torch.float32) if not image.is_floating_point() else planes, size=size, mode=interpolation)
    return resized.to(image.dtype).reshape(*image.shape[:-2], *size)
