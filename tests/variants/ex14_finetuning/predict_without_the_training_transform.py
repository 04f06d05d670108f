"""Feeds the pixels scaled to [0, 1] but not normalised: the model never saw such inputs."""

VERDICTS = {
    "predict_image_png": ("failed", "'input the model received (transformed, a batch of one)'"),
    "predict_image_random": ("failed", "'L: input the model received'"),
}
DIAGNOSIS = {"*": ("normalis", "transform")}

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402


def predict_image(model, path, class_names):
    with Image.open(path) as file:
        pixels = torch.from_numpy(np.asarray(file.convert("L"), dtype=np.float32) / 255.0)
    batch = pixels.reshape(1, 1, 8, 8)
    model.eval()
    with torch.no_grad():
        probabilities = F.softmax(model(batch), dim=1)[0]
    probability, index = probabilities.max(dim=0)
    return class_names[int(index)], probability.item()
