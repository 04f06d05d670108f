"""Flips when u <= p instead of u < p: p = 0 flips on a draw of exactly 0.0 (then "never" is not never),
and a draw of exactly p flips. Seen only with a generator about to draw exactly p."""

VERDICTS = {
    "horizontal_flip": ("failed", "'p=0 and a draw of exactly 0.0: not flipped (flip when u < p)'"),
    "paired_transform_keeps_mask_aligned": ("failed", "'p=0.5 and a flip draw of exactly 0.5: not flipped (flip when u < p)"),
}
DIAGNOSIS = {"*": ("flip when u < p", "exactly")}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def random_horizontal_flip(image, generator, p=0.5):
    if torch.rand(1, generator=generator) <= p:
        return torch.flip(image, dims=(-1,))
    return image


def paired_random_transform(image, mask, size, generator, padding=0, p=0.5, ignore_index=255):
    if image.shape[-2:] != mask.shape:
        raise ValueError("image and mask differ in height or width")
    if padding > 0:
        image = F.pad(image, (padding,) * 4, value=0.0)
        mask = F.pad(mask, (padding,) * 4, value=ignore_index)
    height, width = as_pair(size)  # noqa: F821 - given in the exercise
    top, left = random_crop_params(image.shape[-2], image.shape[-1], size, generator)  # noqa: F821
    image, mask = image[..., top : top + height, left : left + width], mask[..., top : top + height, left : left + width]
    if torch.rand(1, generator=generator) <= p:
        image, mask = image.flip(-1), mask.flip(-1)
    return image, mask
