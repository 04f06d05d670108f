"""The image and the mask each through their own random crop and flip: two different crops, the labels
no longer on their pixels."""

VERDICTS = {
    "paired_transform_keeps_mask_aligned": ("failed", "'image[0] still equals the mask in all 12 pairs': wrong value"),
    "paired_transform_random": ("failed", "shared by image and mask)'"),
}
DIAGNOSIS = {"*": ("still equals the mask", "same crop", "aligned", "shared by image and mask")}


def paired_random_transform(image, mask, size, generator, padding=0, p=0.5, ignore_index=255):
    if image.shape[-2:] != mask.shape:
        raise ValueError("image and mask differ in height or width")
    image = random_horizontal_flip(random_crop(image, size, generator, padding, fill=0.0), generator, p)
    mask = random_horizontal_flip(random_crop(mask, size, generator, padding, fill=ignore_index), generator, p)
    return image, mask
