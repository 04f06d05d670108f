"""Saves dict(model.named_parameters()) and loads it with strict=False.

The parameters come back, but BatchNorm's running mean and variance are buffers,
not parameters: the fresh model keeps its default statistics and predicts differently.
"""

VERDICTS = {
    "state_dict_round_trip": ("failed", "'buffers restored (BatchNorm running statistics)'"),
    "state_dict_round_trip_random": ("failed", "'buffers restored (BatchNorm running statistics)'"),
    "weights_file_is_a_plain_state_dict": ("failed", "'keys': wrong value"),
}
DIAGNOSIS = {"*": ("state_dict()", "buffer", "strict")}

import torch  # noqa: E402


def save_weights(path, model):
    torch.save(dict(model.named_parameters()), path)


def load_for_inference(path, model):
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=False)
    return model.eval()
