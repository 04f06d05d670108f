"""The mask padded with 0 like the image: the made-up border is labelled class 0 instead of ignored."""

VERDICTS = {
    "paired_transform_keeps_mask_aligned": ("failed", "'masks padded with 255 (ignore_index)': wrong value"),
    "paired_transform_random": ("failed", "][1]'"),
}
DIAGNOSIS = {"*": ("255", "ignore_index")}

import torch  # noqa: E402


def paired_random_transform(image, mask, size, generator, padding=0, p=0.5, ignore_index=255):
    if image.shape[-2:] != mask.shape:
        raise ValueError("image and mask differ in height or width")
    if padding > 0:
        image = F.pad(image, (padding,) * 4)
        mask = F.pad(mask, (padding,) * 4)
    top, left = random_crop_params(image.shape[-2], image.shape[-1], size, generator)
    h, w = as_pair(size)
    image, mask = image[..., top : top + h, left : left + w], mask[..., top : top + h, left : left + w]
    if torch.rand(1, generator=generator) < p:
        image, mask = image.flip(-1), mask.flip(-1)
    return image, mask
