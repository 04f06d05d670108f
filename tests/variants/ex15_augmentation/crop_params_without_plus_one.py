"""torch.randint(0, H - h): the upper bound is excluded, so the last position is never drawn, and a crop
as large as the image (only position 0) raises instead of returning (0, 0)."""

VERDICTS = {
    "random_crop_params_and_padding": ("failed", "'every top in 0 … 3 and left in 0 … 5, each reached': wrong value"),
    "random_crop_random": ("failed", "'crops["),
    "paired_transform_keeps_mask_aligned": ("failed", "'images[0]'"),
    "paired_transform_random": ("failed", "'pairs["),
}
DIAGNOSIS = {"*": ("+ 1", "off by one", "last position")}

import torch  # noqa: E402


def random_crop_params(height, width, size, generator):
    crop_height, crop_width = as_pair(size)
    if crop_height > height or crop_width > width:
        raise ValueError("crop larger than the image")
    top = int(torch.randint(0, height - crop_height, (1,), generator=generator))
    left = int(torch.randint(0, width - crop_width, (1,), generator=generator))
    return top, left
