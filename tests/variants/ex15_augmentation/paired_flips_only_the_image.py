"""paired_random_transform crops both together but flips only the image: the mask no longer labels
the pixels it sits on."""

VERDICTS = {
    "paired_transform_keeps_mask_aligned": ("failed", "'image[0] still equals the mask in all 12 pairs'"),
    "paired_transform_random": ("failed", "'image[0] still equals the mask'"),
}
DIAGNOSIS = {"*": ("still equals the mask", "aligned")}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def paired_random_transform(image, mask, size, generator, padding=0, p=0.5, ignore_index=255):
    if image.shape[-2:] != mask.shape:
        raise ValueError("image and mask differ in height or width")
    if padding > 0:
        image = F.pad(image, (padding,) * 4, value=0.0)
        mask = F.pad(mask, (padding,) * 4, value=ignore_index)
    height, width = as_pair(size)  # noqa: F821 - given in the exercise
    top, left = random_crop_params(image.shape[-2], image.shape[-1], size, generator)  # noqa: F821
    image, mask = image[..., top : top + height, left : left + width], mask[..., top : top + height, left : left + width]
    if torch.rand(1, generator=generator) < p:
        image = image.flip(-1)
    return image, mask
