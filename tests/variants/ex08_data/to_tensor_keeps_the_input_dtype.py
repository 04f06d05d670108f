"""to_tensor divides by 255 without converting to float32 first: uint8 / 255 happens to give
float32, but a float64 image (NumPy arithmetic on pixels makes one) stays float64."""

VERDICTS = {
    "to_tensor_layout_and_scale": (
        "failed",
        "'to_tensor(2×2×3 float64 array of 0…255 values) is float32': dtype torch.float64, expected torch.float32",
    ),
}
DIAGNOSIS = {"*": ("float64", ".float()")}

import numpy as np  # noqa: E402
import torch  # noqa: E402


def to_tensor(image):
    pixels = image if isinstance(image, torch.Tensor) else torch.from_numpy(np.array(image))
    if pixels.ndim == 2:
        pixels = pixels.unsqueeze(-1)
    return pixels.permute(2, 0, 1) / 255
