"""normalize=True with in-place sub_/div_ on the caller's images: the grid is right, the batch is ruined."""

VERDICTS = {
    "image_grid_normalize_copies_and_errors": ("failed", "'images unchanged by normalize=True'"),
    "image_grid_random": ("failed", "'nrow larger than the batch'"),
}
DIAGNOSIS = {"*": ("in place", "changed its input", "unchanged by normalize")}

import math  # noqa: E402


def make_image_grid(images, nrow=8, padding=2, pad_value=0.0, normalize=False):
    if images.dim() != 4 or images.shape[0] == 0:
        raise ValueError("images must be a non-empty (N, C, H, W) batch")
    if nrow < 1:
        raise ValueError("nrow must be at least 1")
    if normalize:
        low, high = images.min(), images.max()
        images.sub_(low).div_(torch.clamp(high - low, min=1e-5))
    n, channels, height, width = images.shape
    cols = min(nrow, n)
    rows = math.ceil(n / cols)
    grid = images.new_full((channels, rows * (height + padding) + padding, cols * (width + padding) + padding), pad_value)
    for k in range(n):
        top = padding + (k // cols) * (height + padding)
        left = padding + (k % cols) * (width + padding)
        grid[:, top : top + height, left : left + width] = images[k]
    return grid
