"""Always nrow columns, even for fewer images: a grid as wide as nrow cells, mostly padding."""

VERDICTS = {
    "image_grid_layout": ("failed", "'5 images, nrow=8 (more than N), padding=2': shape"),
    "image_grid_random": ("failed", "'nrow larger than the batch': shape"),
    "log_image_grid_reads_back": ("failed", "'image samples/gray[0].width x height[0]'"),
    "log_image_grid_hands_add_image_the_grid": ("failed", "'add_image calls[1].image': shape"),
}
DIAGNOSIS = {"*": ("nrow", "padded")}

import math  # noqa: E402


def make_image_grid(images, nrow=8, padding=2, pad_value=0.0, normalize=False):
    if images.dim() != 4 or images.shape[0] == 0:
        raise ValueError("images must be a non-empty (N, C, H, W) batch")
    if nrow < 1:
        raise ValueError("nrow must be at least 1")
    if normalize:
        low, high = images.min(), images.max()
        images = (images - low) / torch.clamp(high - low, min=1e-5)
    n, channels, height, width = images.shape
    cols = nrow
    rows = math.ceil(n / cols)
    grid = images.new_full((channels, rows * (height + padding) + padding, cols * (width + padding) + padding), pad_value)
    for k in range(n):
        top = padding + (k // cols) * (height + padding)
        left = padding + (k % cols) * (width + padding)
        grid[:, top : top + height, left : left + width] = images[k]
    return grid
