"""H×W×C reshaped to C×H×W instead of permuted: the right shape, scrambled pixels."""

VERDICTS = {
    "to_tensor_layout_and_scale": ("failed", "'to_tensor(2×4×3 array)'"),
    "normalize_and_compose": ("failed", "'compose([to_tensor, normalize])(image)'"),
    "transforms_random": ("failed", "'to_tensor'"),
    "image_folder_pixels": ("failed", "as written, permuted and / 255'"),
    "image_folder_random": ("failed", "'images["),
}
DIAGNOSIS = {"*": ("reshape", "permute", "transpose")}


def to_tensor(image):
    pixels = torch.as_tensor(np.array(image))
    if pixels.ndim == 2:
        pixels = pixels.unsqueeze(-1)
    height, width, channels = pixels.shape
    return pixels.reshape(channels, height, width).float() / 255
