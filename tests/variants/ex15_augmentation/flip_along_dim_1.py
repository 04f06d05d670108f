"""flip(1) as "the width": right for an (H, W) mask, but for a (C, H, W) image dimension 1 is the height."""

VERDICTS = {
    "horizontal_flip": ("failed", "'p=0.5: every result is the image or torch.flip(image, dims=(-1,))': wrong value"),
    "paired_transform_keeps_mask_aligned": ("failed", "'image[0] still equals the mask in all 12 pairs': wrong value"),
    "paired_transform_random": ("failed", "'image[0] still equals the mask'"),
}
DIAGNOSIS = {"*": ("dims=(-1", "width", "along another dimension")}

import torch  # noqa: E402


def random_horizontal_flip(image, generator, p=0.5):
    if torch.rand(1, generator=generator) < p:
        return torch.flip(image, dims=(1,))
    return image


def paired_random_transform(image, mask, size, generator, padding=0, p=0.5, ignore_index=255):
    if image.shape[-2:] != mask.shape:
        raise ValueError("image and mask differ in height or width")
    if padding > 0:
        image = F.pad(image, (padding,) * 4, value=0.0)
        mask = F.pad(mask, (padding,) * 4, value=ignore_index)
    top, left = random_crop_params(image.shape[-2], image.shape[-1], size, generator)
    h, w = as_pair(size)
    image, mask = image[..., top : top + h, left : left + w], mask[..., top : top + h, left : left + w]
    if torch.rand(1, generator=generator) < p:
        image, mask = image.flip(1), mask.flip(1)
    return image, mask
