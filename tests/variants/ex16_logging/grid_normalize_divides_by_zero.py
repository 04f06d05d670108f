"""(x − min) / (max − min) with no guard: a constant batch (a blank image, a dead filter) becomes NaN."""

VERDICTS = {
    "image_grid_normalize_copies_and_errors": ("failed", "'constant batch, normalize=True: zeros, not NaN'"),
}
DIAGNOSIS = {"*": ("0 / 0", "not NaN", "constant batch")}

import math  # noqa: E402


def make_image_grid(images, nrow=8, padding=2, pad_value=0.0, normalize=False):
    if images.dim() != 4 or images.shape[0] == 0:
        raise ValueError("images must be a non-empty (N, C, H, W) batch")
    if nrow < 1:
        raise ValueError("nrow must be at least 1")
    if normalize:
        images = (images - images.min()) / (images.max() - images.min())
    n, channels, height, width = images.shape
    cols = min(nrow, n)
    rows = math.ceil(n / cols)
    grid = images.new_full((channels, rows * (height + padding) + padding, cols * (width + padding) + padding), pad_value)
    for k in range(n):
        top = padding + (k // cols) * (height + padding)
        left = padding + (k % cols) * (width + padding)
        grid[:, top : top + height, left : left + width] = images[k]
    return grid
