"""Predicts in training mode: BatchNorm normalises the single image with its own statistics (and updates
the running ones), so the probabilities are not the model's."""

VERDICTS = {
    "predict_image_png": ("failed", "'model left in eval mode'"),
}
DIAGNOSIS = {"*": ("eval mode", "eval()")}

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402


def predict_image(model, path, class_names):
    with Image.open(path) as file:
        pixels = torch.from_numpy(np.asarray(file.convert("L"), dtype=np.float32) / 255.0)
    batch = digits_transform(pixels.unsqueeze(0)).unsqueeze(0)
    with torch.no_grad():
        probabilities = F.softmax(model(batch), dim=1)[0]
    probability, index = probabilities.max(dim=0)
    return class_names[int(index)], probability.item()
